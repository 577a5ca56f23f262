import { spawn } from 'node:child_process'
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { openRepo } from '../adapters/git/run-git.js'
import { commitDataBranch, verifyDataBranch } from './data-branch.js'

const repoRoot = path.resolve(import.meta.dirname, '../../..')

// A repository with one commit, like a workspace before its first submission.
async function repository(base: string): Promise<string> {
  const workspace = path.join(base, 'workspace')
  await mkdir(workspace, { recursive: true })
  const git = openRepo(workspace)
  await git.raw(['init', '--quiet', '--initial-branch=main'])
  await git.raw(['config', 'user.name', 'WMS test'])
  await git.raw(['config', 'user.email', 'test@wms.invalid'])
  await writeFile(path.join(workspace, 'README.md'), 'workspace\n')
  await git.raw(['add', 'README.md'])
  await git.raw(['commit', '--quiet', '-m', 'start'])
  return workspace
}

const dataBranches = async (workspace: string): Promise<string> =>
  (await openRepo(workspace).raw(['branch', '--list', 'data/*'])).trim()

const CHILD = `
import path from 'node:path'
import { commitDataBranch } from './training-runner/src/staging/data-branch.ts'
const [workspace, sources, count] = process.argv.slice(-3)
const files = Array.from({ length: Number(count) }, (_, i) => ({ relpath: 'images/p' + i + '.jpg', source: path.join(sources, 'p' + i + '.jpg') }))
await commitDataBranch({ workspace, datasetRoot: 'data/training', files, message: 'm' })
process.stdout.write('committed')
`

describe('data branches under faults', () => {
  const tempDir = useTempDirs()

  it('refuses a path git cannot hold instead of committing nothing and calling it done', async () => {
    const base = await tempDir()
    const workspace = await repository(base)
    const source = path.join(base, 'x.jpg')
    await writeFile(source, 'jpeg')
    await expect(
      commitDataBranch({
        workspace,
        datasetRoot: 'data/training',
        files: [{ relpath: 'images/.git/x.jpg', source }],
        message: 'm',
      }),
    ).rejects.toMatchObject({ code: 'usage/invalid-arguments', message: /git's own folder/ })
    expect(await dataBranches(workspace)).toBe('')
  })

  it('never commits through a link, nor bytes that are not the ones checked', async () => {
    const base = await tempDir()
    const workspace = await repository(base)
    const secret = path.join(base, 'id_rsa')
    await writeFile(secret, 'private key')
    const link = path.join(base, 'x.jpg')
    await symlink(secret, link)
    await expect(
      commitDataBranch({
        workspace,
        datasetRoot: 'data/training',
        files: [{ relpath: 'images/x.jpg', source: link }],
        message: 'm',
      }),
    ).rejects.toMatchObject({ code: 'storage/integrity', message: /cannot be read safely/ })
    const plain = path.join(base, 'y.jpg')
    await writeFile(plain, 'changed since QA')
    await expect(
      commitDataBranch({
        workspace,
        datasetRoot: 'data/training',
        files: [{ relpath: 'images/y.jpg', source: plain, md5: '0'.repeat(32) }],
        message: 'm',
      }),
    ).rejects.toMatchObject({ code: 'storage/integrity', message: /changed after it was checked/ })
    expect(await dataBranches(workspace)).toBe('')
  })

  it('verifies that a branch holds exactly the submitted files', async () => {
    const base = await tempDir()
    const workspace = await repository(base)
    const a = path.join(base, 'a.jpg')
    const b = path.join(base, 'b.png')
    await writeFile(a, 'photo')
    await writeFile(b, 'mask')
    const files = [
      { relpath: 'images/a.jpg', source: a },
      { relpath: 'masks/a.png', source: b },
    ]
    const { branch, commit } = await commitDataBranch({ workspace, datasetRoot: 'data/training', files, message: 'm' })
    expect(await verifyDataBranch({ workspace, datasetRoot: 'data/training', branch, files })).toBe(commit)
    await expect(
      verifyDataBranch({ workspace, datasetRoot: 'data/training', branch, files: files.slice(0, 1) }),
    ).rejects.toMatchObject({ code: 'storage/integrity', message: /unexpected data\/training\/masks\/a\.png/ })
    expect(
      await verifyDataBranch({ workspace, datasetRoot: 'data/training', branch: 'data/none', files }),
    ).toBeUndefined()
  })

  it.each([
    ['as soon as its scratch space exists', (names: string[]) => names.length > 0],
    ['while it builds the tree', (names: string[]) => names.some((name) => name.endsWith('/index'))],
  ])(
    'leaves no branch and no worktree when killed -9 %s, and the next commit cleans up',
    async (_, ready) => {
      const base = await tempDir()
      const workspace = await repository(base)
      const sources = path.join(base, 'sources')
      await mkdir(sources)
      const count = 400
      for (let index = 0; index < count; index += 1)
        await writeFile(path.join(sources, `p${String(index)}.jpg`), `photo ${String(index)} `.repeat(2000))
      const child = spawn(
        process.execPath,
        [
          '--conditions=source',
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          CHILD,
          workspace,
          sources,
          String(count),
        ],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
      )
      let output = ''
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
      const exited = new Promise((resolve) => child.on('exit', resolve))
      const gitDir = path.join(workspace, '.git')
      // The commit's own temporary state, in any version: a scratch folder or a registered worktree.
      const scratch = async (): Promise<string[]> => {
        const names: string[] = []
        for (const name of await readdir(gitDir)) {
          if (name.startsWith('wms-data-branch-'))
            names.push(name, ...(await readdir(path.join(gitDir, name))).map((inner) => `${name}/${inner}`))
        }
        const worktrees = await readdir(path.join(gitDir, 'worktrees')).catch(() => [])
        return [...names, ...worktrees]
      }
      const deadline = Date.now() + 60_000
      while (!ready(await scratch())) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`never reached the step: ${output}`)
        await new Promise((resolve) => setTimeout(resolve, 2))
      }
      child.kill('SIGKILL')
      await exited
      expect(output).not.toContain('committed')

      const git = openRepo(workspace)
      expect(await dataBranches(workspace)).toBe('')
      expect((await git.raw(['worktree', 'list', '--porcelain'])).match(/^worktree /gm)).toHaveLength(1)
      expect((await git.raw(['status', '--porcelain'])).trim()).toBe('')
      // The next submission works and sweeps what the killed one left.
      const source = path.join(sources, 'p0.jpg')
      await commitDataBranch({
        workspace,
        datasetRoot: 'data/training',
        files: [{ relpath: 'images/p0.jpg', source }],
        message: 'm',
      })
      expect((await readdir(gitDir)).filter((name) => name.startsWith('wms-data-branch-'))).toEqual([])
    },
    90_000,
  )
})
