import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { writeWorkspaceConfig } from '../workspace/workspace-config-file.js'
import { collectingSink } from '../events/event-sink.js'
import { datasetStatus } from './status.js'
import { addDataset, pullDataset, pushDataset } from './sync.js'

const tempDir = useTempDirs()

const FILES: Record<string, string> = {
  'images/ünï cødé 😀.JPG': 'photo 1',
  'images/nested/deeper/a\\b.jpeg': 'photo 2',
  'images/plain.png': 'photo 3',
  'masks/ünï cødé 😀.png': 'mask 1',
  'masks/nested/deeper/a\\b.png': 'mask 2',
  'masks/plain.png': 'mask 3',
}

async function workspace(): Promise<string> {
  const base = await tempDir()
  const root = path.join(base, 'ws')
  await mkdir(path.join(root, 'data/training/masks'), { recursive: true })
  await writeWorkspaceConfig(root, {
    version: 1,
    name: 'Sync',
    dataset: { root: 'data/training', remote: { type: 'local', path: '../remote' } },
    tracking: { uri: 'file:../mlruns' },
  })
  for (const [relpath, content] of Object.entries(FILES)) {
    const file = path.join(root, 'data/training', relpath)
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(file, content)
  }
  return root
}

describe('add, push, pull, status', () => {
  it('round-trips unicode and nested names through a local remote', async () => {
    const root = await workspace()
    const outs = await addDataset(root)
    expect(outs.masks).toMatchObject({ nfiles: 3, size: 18, hash: 'md5', path: 'masks' })
    expect(outs.images).toMatchObject({ nfiles: 3, size: 21 })
    expect(await readFile(path.join(root, 'data/training/masks.dvc'), 'utf8')).toBe(
      `outs:\n- md5: ${outs.masks!.md5}\n  size: 18\n  nfiles: 3\n  hash: md5\n  path: masks\n`,
    )

    const events = collectingSink()
    const pushed = await pushDataset(root, { events })
    expect(pushed).toMatchObject({ objects: 6, transferred: 6, present: 0, manifests: 2, bytes: 39 })
    expect(
      events.events.some((event) => event.type === 'progress' && event.unit === 'bytes' && event.done === 39),
    ).toBe(true)
    expect((await pushDataset(root)).transferred).toBe(0)

    await rm(path.join(root, 'data/training/images'), { recursive: true })
    await rm(path.join(root, '.wms'), { recursive: true })
    expect((await datasetStatus(root)).folders[0]).toMatchObject({ state: 'not-pulled' })
    const pulled = await pullDataset(root)
    expect(pulled).toMatchObject({ transferred: 3, upToDate: 3, keptModified: [], extra: [] })
    for (const [relpath, content] of Object.entries(FILES)) {
      expect(await readFile(path.join(root, 'data/training', relpath), 'utf8')).toBe(content)
    }
    expect((await datasetStatus(root, { checkRemote: true })).folders.map((folder) => folder.state)).toEqual([
      'clean',
      'clean',
    ])
  })

  it('reports local changes and never overwrites them without --force', async () => {
    const root = await workspace()
    await addDataset(root)
    await pushDataset(root)
    await writeFile(path.join(root, 'data/training/images/plain.png'), 'edited')
    await writeFile(path.join(root, 'data/training/images/new.jpg'), 'new')

    const status = await datasetStatus(root, { offline: true })
    expect(status.folders[0]?.state).toBe('modified')
    expect(status.folders[0]?.changes).toMatchObject({
      added: [{ relpath: 'new.jpg' }],
      changed: [{ relpath: 'plain.png' }],
    })

    const kept = await pullDataset(root)
    expect(kept.keptModified).toEqual(['images/plain.png'])
    expect(kept.extra).toEqual(['images/new.jpg'])
    expect(await readFile(path.join(root, 'data/training/images/plain.png'), 'utf8')).toBe('edited')
    await pullDataset(root, { force: true })
    expect(await readFile(path.join(root, 'data/training/images/plain.png'), 'utf8')).toBe('photo 3')
  })

  it('refuses to push when a tracked file is neither here nor in the remote', async () => {
    const root = await workspace()
    await addDataset(root)
    await rm(path.join(root, 'data/training/images/plain.png'))
    await expect(pushDataset(root)).rejects.toMatchObject({ code: 'dataset/missing-files' })
  })
})
