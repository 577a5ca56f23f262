import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { simpleGit } from 'simple-git'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { createDemoWorkspace } from '../workspace/demo-workspace.js'
import { commitDataBranch, pushDataBranch } from './data-branch.js'

describe('data branches', () => {
  const tempDir = useTempDirs()

  it('commits exactly the given files on a data branch and pushes it, leaving the working tree alone', async () => {
    const base = await tempDir()
    const layout = await createDemoWorkspace(path.join(base, 'demo'), { pairs: 1, incoming: 0 })
    await writeFile(path.join(layout.workspace, 'notes.txt'), 'uncommitted user work')
    const source = path.join(base, 'x.jpg')
    await writeFile(source, 'jpeg bytes')
    const mask = path.join(base, 'x.png')
    await writeFile(mask, 'png bytes')

    const progress: number[] = []
    const committed = await commitDataBranch({
      workspace: layout.workspace,
      datasetRoot: 'data/training',
      files: [
        { relpath: 'images/x.jpg', source },
        { relpath: 'masks/x.png', source: mask },
      ],
      message: 'data: add 1 new training pair',
      now: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    })
    expect(committed.branch).toBe('data/20260102-030405')
    await pushDataBranch(layout.workspace, committed.branch, { onProgress: (event) => progress.push(event.progress) })

    const origin = simpleGit(layout.origin)
    const changed = await origin.raw(['diff', '--name-only', 'main', committed.branch])
    expect(changed.trim().split('\n')).toEqual(['data/training/images/x.jpg', 'data/training/masks/x.png'])
    expect(await origin.raw(['log', '-1', '--format=%s', committed.branch])).toBe('data: add 1 new training pair\n')

    // The user's branch, index and files are untouched.
    const workspace = simpleGit(layout.workspace)
    expect((await workspace.status()).current).toBe('main')
    expect(await readFile(path.join(layout.workspace, 'notes.txt'), 'utf8')).toBe('uncommitted user work')
    expect(await workspace.raw(['worktree', 'list'])).not.toContain('wms-data-branch')

    // A second submission in the same second gets its own branch.
    const again = await commitDataBranch({
      workspace: layout.workspace,
      datasetRoot: 'data/training',
      files: [{ relpath: 'images/y.jpg', source }],
      message: 'again',
      now: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    })
    expect(again.branch).toBe('data/20260102-030405-2')
  })

  it('fails to push to an unreachable remote with a retryable or push error, keeping the local branch', async () => {
    const base = await tempDir()
    const layout = await createDemoWorkspace(path.join(base, 'demo'), { pairs: 1, incoming: 0 })
    const source = path.join(base, 'x.jpg')
    await writeFile(source, 'bytes')
    const committed = await commitDataBranch({
      workspace: layout.workspace,
      datasetRoot: 'data/training',
      files: [{ relpath: 'images/x.jpg', source }],
      message: 'm',
    })
    await simpleGit(layout.workspace).remote(['set-url', 'origin', path.join(base, 'missing.git')])
    await expect(pushDataBranch(layout.workspace, committed.branch)).rejects.toMatchObject({
      code: expect.stringMatching(/^git\//) as unknown,
    })
    expect(await simpleGit(layout.workspace).raw(['branch', '--list', committed.branch])).toContain(committed.branch)
  })
})
