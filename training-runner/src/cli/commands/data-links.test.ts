import { mkdir, readdir, readFile, rename, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { openRepo } from '../../adapters/git/run-git.js'
import { useTempDirs } from '../../../test/helpers/temp-dir.js'
import { createDataBranch, createDatasetRepo } from '../../../test/helpers/dataset-repo.js'
import { runCliIn } from '../../../test/helpers/cli-capture.js'

const cli = (cwd: string, ...argv: string[]) => runCliIn(cwd, argv)
const SECRET = 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG\n'

async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name))
}

async function remoteHolds(remoteDir: string, text: string): Promise<boolean> {
  for (const file of await filesBelow(remoteDir)) if ((await readFile(file, 'utf8')) === text) return true
  return false
}

describe('links that leave the dataset', () => {
  const tempDir = useTempDirs()

  it('data merge refuses a data branch with a committed link to a file outside, before uploading anything', async () => {
    const base = await tempDir()
    const secret = path.join(base, 'credentials')
    await writeFile(secret, SECRET)
    const repo = await createDatasetRepo(base, { pairs: 1 })
    await createDataBranch(repo.root, { pairs: 1, startId: 30 })
    await symlink(secret, path.join(repo.root, 'data/training/images/evil.jpg'))
    const git = openRepo(repo.root)
    await git.add(['-A'])
    await git.commit('a link')
    const before = await filesBelow(repo.remoteDir)

    const merge = await cli(repo.root, 'data', 'merge', '--commit')
    expect(merge.code).toBe(1)
    expect(merge.err).toContain('Refusing to merge this branch')
    expect(merge.err).toContain(`images/evil.jpg → ${secret}`)
    expect(await remoteHolds(repo.remoteDir, SECRET)).toBe(false)
    expect(await filesBelow(repo.remoteDir)).toEqual(before)
  })

  it('data add, push and pull refuse a local link out of the dataset; nothing lands in the remote', async () => {
    const base = await tempDir()
    const secret = path.join(base, 'shadow')
    await writeFile(secret, SECRET)
    const repo = await createDatasetRepo(base, { pairs: 1 })
    expect((await cli(repo.root, 'data', 'pull')).code).toBe(0)
    const dvcFile = path.join(repo.root, 'data/training/images.dvc')
    const tracked = await readFile(dvcFile, 'utf8')
    await symlink(secret, path.join(repo.root, 'data/training/images/shadow.jpg'))

    for (const command of ['add', 'push', 'pull']) {
      const run = await cli(repo.root, '--json', 'data', command)
      expect(run.code, command).toBe(1)
      expect(JSON.parse(run.out)).toMatchObject({ error: { code: 'dataset/link-outside' } })
    }
    expect(await readFile(dvcFile, 'utf8')).toBe(tracked)
    expect(await remoteHolds(repo.remoteDir, SECRET)).toBe(false)
    expect(await readFile(secret, 'utf8')).toBe(SECRET)
  })

  it('a link that stays inside the dataset is allowed', async () => {
    const repo = await createDatasetRepo(await tempDir(), { pairs: 1 })
    expect((await cli(repo.root, 'data', 'pull')).code).toBe(0)
    const dataset = path.join(repo.root, 'data/training')
    const image = path.join(dataset, repo.pairs[0]?.image ?? '')
    await mkdir(path.join(dataset, 'store'))
    await rename(image, path.join(dataset, 'store/kept.jpg'))
    await symlink(path.join(dataset, 'store/kept.jpg'), image)
    const add = await cli(repo.root, 'data', 'add')
    expect(add.err).not.toContain('Refusing')
    expect(add.code).toBe(0)
  })
})
