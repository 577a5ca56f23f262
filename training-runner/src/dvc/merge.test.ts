import { readFile, readdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { WmsError } from '@wms/shared/errors'
import { parseDvcFile, serializeDvcFile, dirDvcFile, singleOut } from '@wms/shared/dvc/dvc-file'
import { openRepo } from '../adapters/git/run-git.js'
import { collectingSink } from '../events/event-sink.js'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { createDataBranch, createDatasetRepo, trackedFiles } from '../../test/helpers/dataset-repo.js'
import { hashDirectory } from './hash-directory.js'
import { mergeDataBranch } from './merge.js'
import { pullDataset } from './sync.js'
import { diffDatasetVersions } from './diff.js'

const tempDir = useTempDirs()

async function readOut(root: string, folder: string) {
  const file = path.join(root, 'data/training', `${folder}.dvc`)
  return singleOut(parseDvcFile(await readFile(file, 'utf8'), file), file)
}

async function remoteObjects(remoteDir: string): Promise<string[]> {
  const entries = await readdir(path.join(remoteDir, 'files/md5'), { recursive: true, withFileTypes: true })
  return entries.filter((entry) => entry.isFile()).map((entry) => `${path.basename(entry.parentPath)}${entry.name}`)
}

async function caught(promise: Promise<unknown>): Promise<WmsError> {
  try {
    await promise
  } catch (thrown) {
    if (thrown instanceof WmsError) return thrown
    throw thrown
  }
  throw new Error('expected an error')
}

describe('mergeDataBranch (local remote)', () => {
  it('appends the branch files to main’s dataset and writes .dvc files identical to what DVC writes', async () => {
    const base = await tempDir()
    const repo = await createDatasetRepo(base, { pairs: 3 })
    await createDataBranch(repo.root, { pairs: 2, startId: 100 })
    const events = collectingSink()

    const result = await mergeDataBranch({ workspace: repo.root, events, commit: true })

    expect(result.status).toBe('merged')
    expect(result.byFolder.images).toEqual({ existing: 3, new: 2, replaced: 0, unchanged: 0, total: 5 })
    expect(result.counts).toEqual({ existing: 6, new: 4, replaced: 0, unchanged: 0, total: 10 })
    expect(result.upload).toMatchObject({ objects: 4, transferred: 4, present: 0, manifests: 2 })
    expect(result.committed).toMatch(/^[0-9a-f]{40}$/)
    // Raw files are out of git; only the pointer files changed.
    expect(await trackedFiles(repo.root, 'data/training/images')).toEqual([])
    expect(await trackedFiles(repo.root, 'data/training')).toEqual([
      'data/training/images.dvc',
      'data/training/masks.dvc',
    ])
    const message = await openRepo(repo.root).raw(['log', '-1', '--format=%B'])
    expect(message).toContain('data: merge 2 new training images')
    expect(message).toContain('Images: existing 3, new 2, replaced 0, total 5')
    expect(events.events.some((event) => event.type === 'step-end' && event.status === 'ok')).toBe(true)

    // What a fresh checkout pulls hashes to exactly the .dvc files the merge wrote (as `dvc add` would write them).
    const clone = path.join(base, 'clone')
    await openRepo(repo.root).push(['origin', 'data/test-100'])
    await openRepo(base).raw(['clone', '--quiet', '--branch', 'data/test-100', repo.origin, clone])
    const pulled = await pullDataset(clone)
    expect(pulled.transferred).toBe(10)
    for (const folder of ['images', 'masks']) {
      const hashed = await hashDirectory(path.join(clone, 'data/training', folder))
      const written = await readFile(path.join(repo.root, 'data/training', `${folder}.dvc`), 'utf8')
      expect(
        serializeDvcFile(dirDvcFile({ md5: hashed.hash, size: hashed.size, nfiles: hashed.nfiles, path: folder })),
      ).toBe(written)
    }
  })

  it('stops on a collision, lists the files, and changes nothing', async () => {
    const repo = await createDatasetRepo(await tempDir(), { pairs: 2 })
    // A new file under the name of one of main's images: same path, other bytes.
    const taken = repo.pairs[0]!.image
    await createDataBranch(repo.root, { pairs: 1, startId: 10, extraFiles: { [taken]: 'other bytes' } })
    const before = await readFile(path.join(repo.root, 'data/training/images.dvc'), 'utf8')
    const objectsBefore = await remoteObjects(repo.remoteDir)

    const error = await caught(mergeDataBranch({ workspace: repo.root }))

    expect(error.code).toBe('dataset/collision')
    expect(error.message).toContain(`${taken}: already in the dataset with different content`)
    expect(error.hint).toContain('replacements.yaml')
    expect(await readFile(path.join(repo.root, 'data/training/images.dvc'), 'utf8')).toBe(before)
    expect(await remoteObjects(repo.remoteDir)).toEqual(objectsBefore)
  })

  it('replaces files the branch declares, and takes the declaration out of git', async () => {
    const repo = await createDatasetRepo(await tempDir(), { pairs: 2 })
    const git = openRepo(repo.root)
    const { image, mask } = repo.pairs[0]!
    const maskAsJpeg = mask.replace(/\.png$/, '.jpg')
    await createDataBranch(repo.root, {
      pairs: 0,
      startId: 10,
      extraFiles: { [image]: 'new photo', [maskAsJpeg]: 'new mask' },
    })
    await writeFile(
      path.join(repo.root, 'data/training/replacements.yaml'),
      `version: 1\nreplace:\n  - path: ${image}\n    reason: re-taken photo\n  - path: ${maskAsJpeg}\n    reason: redrawn mask\n`,
    )
    await git.add(['-A'])
    await git.commit('declare replacements')

    const result = await mergeDataBranch({ workspace: repo.root, commit: true })

    expect(result.byFolder.images).toEqual({ existing: 2, new: 0, replaced: 1, unchanged: 0, total: 2 })
    expect(result.replaced.map((r) => [r.from, r.path, r.reason])).toEqual([
      [image, image, 're-taken photo'],
      [mask, maskAsJpeg, 'redrawn mask'],
    ])
    expect(await trackedFiles(repo.root, 'data/training/replacements.yaml')).toEqual([])
    expect((await readOut(repo.root, 'images')).nfiles).toBe(2)
  })

  it('reports a branch that adds nothing new instead of pretending', async () => {
    const repo = await createDatasetRepo(await tempDir(), { pairs: 2 })
    await createDataBranch(repo.root, { pairs: 0, startId: 50, extraFiles: { 'images/notes.txt': 'hello' } })
    const before = await readFile(path.join(repo.root, 'data/training/images.dvc'), 'utf8')

    const result = await mergeDataBranch({ workspace: repo.root })

    expect(result.status).toBe('nothing-new')
    expect(result.counts.new).toBe(0)
    expect(result.ignored).toEqual(['images/notes.txt'])
    expect(await readFile(path.join(repo.root, 'data/training/images.dvc'), 'utf8')).toBe(before)
  })

  it('takes upper-case and .jpeg extensions, and files in sub-folders', async () => {
    const repo = await createDatasetRepo(await tempDir(), { pairs: 1 })
    await createDataBranch(repo.root, {
      pairs: 0,
      startId: 60,
      extraFiles: {
        'images/PHONE.JPG': 'jpeg bytes',
        'masks/PHONE.PNG': 'png bytes',
        'images/sub/x.jpeg': 'a',
        'masks/sub/x.png': 'b',
      },
    })
    const result = await mergeDataBranch({ workspace: repo.root })
    expect(result.added.sort()).toEqual(['images/PHONE.JPG', 'images/sub/x.jpeg', 'masks/PHONE.PNG', 'masks/sub/x.png'])
    expect(result.byFolder.images?.total).toBe(3)
  })

  it('fails when main’s manifest cannot be read from the remote — never “first upload”', async () => {
    const repo = await createDatasetRepo(await tempDir(), { pairs: 2 })
    await createDataBranch(repo.root, { pairs: 1, startId: 70 })
    const out = await readOut(repo.root, 'images')
    await rm(path.join(repo.remoteDir, 'files/md5', out.md5.slice(0, 2), out.md5.slice(2)))
    await rm(path.join(repo.root, '.wms'), { recursive: true }) // as in a fresh CI checkout: no manifest cache
    const error = await caught(mergeDataBranch({ workspace: repo.root }))
    expect(error.code).toBe('storage/not-found')
    expect((await readOut(repo.root, 'images')).md5).toBe(out.md5)

    await rm(repo.remoteDir, { recursive: true })
    expect((await caught(mergeDataBranch({ workspace: repo.root }))).code).toBe('storage/unavailable')
  })

  it('fails clearly when main was not fetched', async () => {
    const repo = await createDatasetRepo(await tempDir(), { pairs: 1 })
    await createDataBranch(repo.root, { pairs: 1, startId: 80 })
    const error = await caught(mergeDataBranch({ workspace: repo.root, base: 'upstream/main' }))
    expect(error.code).toBe('git/failed')
    expect(error.hint).toContain('git fetch upstream main')
  })

  it('is idempotent: a rerun uploads nothing and writes the same files', async () => {
    const repo = await createDatasetRepo(await tempDir(), { pairs: 2 })
    await createDataBranch(repo.root, { pairs: 2, startId: 90 })
    const first = await mergeDataBranch({ workspace: repo.root })
    const again = await mergeDataBranch({ workspace: repo.root })
    expect(again.dvc).toEqual(first.dvc)
    expect(again.upload).toMatchObject({ transferred: 0, present: 4, manifests: 0 })
  })

  it('reruns in a fresh checkout after the merge commit, and onto a main that moved on', async () => {
    const base = await tempDir()
    const repo = await createDatasetRepo(base, { pairs: 2 })
    const git = openRepo(repo.root)
    await createDataBranch(repo.root, { name: 'data/a', pairs: 2, startId: 200 })
    const merged = await mergeDataBranch({ workspace: repo.root, commit: true })
    await git.push(['origin', 'data/a'])

    // Another data branch lands on main first.
    await createDataBranch(repo.root, { name: 'data/b', pairs: 1, startId: 300 })
    await mergeDataBranch({ workspace: repo.root, commit: true })
    await git.checkout('main')
    await git.raw(['merge', '--squash', 'data/b'])
    await git.commit('data: add 1 new training image')
    await git.push(['origin', 'main'])

    // A fresh CI checkout of data/a: no raw files any more, only its committed .dvc files.
    const clone = path.join(base, 'ci')
    await openRepo(base).raw(['clone', '--quiet', '--branch', 'data/a', repo.origin, clone])
    await openRepo(clone).addConfig('user.name', 'ci')
    await openRepo(clone).addConfig('user.email', 'ci@wms.invalid')
    const rerun = await mergeDataBranch({ workspace: clone })
    expect(rerun.byFolder.images).toEqual({ existing: 3, new: 2, replaced: 0, unchanged: 0, total: 5 })
    expect(rerun.upload.transferred).toBe(0)
    expect(rerun.dvc.images?.md5).not.toBe(merged.dvc.images?.md5)

    await openRepo(clone).add(['-A'])
    await openRepo(clone).commit('rebase dataset onto main')
    const added = await diffDatasetVersions(clone, 'origin/main', 'HEAD')
    expect(added.byFolder.images).toEqual({ added: 2, removed: 0, changed: 0, unchanged: 3 })
  })
})
