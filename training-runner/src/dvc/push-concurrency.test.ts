import { spawnSync } from 'node:child_process'
import { cp, mkdir, readdir, utimes, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { remoteObjectKey } from '@wms/shared/dvc/object-key'
import { createLocalRemoteStore } from '../adapters/storage/local-remote.js'
import type { RemoteStore } from '../adapters/storage/remote-store.js'
import { temporaryName } from '../adapters/storage/temporary-files.js'
import { writeSyntheticDataset } from '../demo/synthetic-dataset.js'
import { md5File } from '../fs/hash-file.js'
import { createDatasetRepo, SMALL_SIZES } from '../../test/helpers/dataset-repo.js'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { addDataset, pullDataset, pushDataset } from './sync.js'

const tempDir = useTempDirs()

/** A store that counts existence checks and can hold every upload until `release()`. */
function instrumented(store: RemoteStore, gate?: Promise<void>, arrived?: () => void) {
  const counts = { stat: 0, put: 0 }
  const wrapped: RemoteStore = {
    ...store,
    stat: (hash, options) => {
      counts.stat += 1
      return store.stat(hash, options)
    },
    put: async (hash, source, options) => {
      counts.put += 1
      arrived?.()
      await gate
      return store.put(hash, source, options)
    },
    probe: (options) => store.probe(options),
    close: () => undefined,
  }
  return { store: wrapped, counts }
}

/** A workspace on main with `pairs` pushed pairs pulled, plus `fresh` new pairs added (not pushed). */
async function workspaceWithNewPairs(pairs: number, fresh: number) {
  const repo = await createDatasetRepo(await tempDir(), { pairs })
  await pullDataset(repo.root)
  const dataset = path.join(repo.root, 'data/training')
  await writeSyntheticDataset(dataset, { count: fresh, seed: 500, startId: 500, sizes: SMALL_SIZES })
  await addDataset(repo.root)
  return { ...repo, dataset }
}

describe('data push', () => {
  it('asks the remote only about the files the manifest diff names as new', async () => {
    const ws = await workspaceWithNewPairs(40, 10)
    const counted = instrumented(createLocalRemoteStore({ root: ws.remoteDir }))
    const result = await pushDataset(ws.root, { store: counted.store })
    expect(result).toMatchObject({ transferred: 20, checked: 20, manifests: 2 })
    // 20 new objects + one look at each folder's new and committed manifest + the manifests' own put checks.
    expect(counted.counts.stat).toBeLessThanOrEqual(20 + 4 + 2)
  })

  it('two pushes of the same new files at once report truthfully what each stored', async () => {
    const ws = await workspaceWithNewPairs(2, 3)
    const twin = path.join(path.dirname(ws.root), 'twin')
    await cp(ws.root, twin, { recursive: true })
    let waiting = 0
    let release: () => void = () => undefined
    const gate = new Promise<void>((resolve) => (release = resolve))
    const seen = new Set<string>()
    const arrive = (who: string) => () => {
      seen.add(who)
      if (seen.size === 2 && waiting++ === 0) release()
    }
    const remote = createLocalRemoteStore({ root: ws.remoteDir })
    const [first, second] = await Promise.all([
      pushDataset(ws.root, { store: instrumented(remote, gate, arrive('a')).store }),
      pushDataset(twin, { store: instrumented(remote, gate, arrive('b')).store }),
    ])
    expect(first.transferred + second.transferred).toBe(6)
    expect(first.transferred + first.present).toBe(6)
    expect(second.transferred + second.present).toBe(6)
  })

  it('removes stale temporary files a killed push left in the remote, and only stale ones', async () => {
    const ws = await workspaceWithNewPairs(1, 1)
    const image = path.join(ws.dataset, 'images', (await readdir(path.join(ws.dataset, 'images'))).sort().at(-1)!)
    const objectDir = path.dirname(path.join(ws.remoteDir, remoteObjectKey(await md5File(image))))
    await mkdir(objectDir, { recursive: true })
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
    const ours = temporaryName('x').replace(`-${String(process.pid)}-`, `-${dead.stdout}-`) // killed, this machine
    const legacyOld = `.abc.tmp-${dead.stdout}-0123abcd` // an older version's name, untouched for an hour
    const foreignFresh = `.def.tmp-4242-89abcdef-ffffff` // another machine, being written now
    for (const name of [ours, legacyOld, foreignFresh]) await writeFile(path.join(objectDir, name), 'partial')
    const hourAgo = new Date(Date.now() - 3_600_000)
    await utimes(path.join(objectDir, legacyOld), hourAgo, hourAgo)

    await pushDataset(ws.root)
    const left = (await readdir(objectDir)).filter((name) => name.includes('.tmp-'))
    expect(left).toEqual([foreignFresh])
  })
})
