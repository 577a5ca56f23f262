import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { ModelVersion } from '@wms/shared/tracking/types'
import type { TrackingStore } from 'training-runner'

const LOCATION_FILE = 'location.json'

/**
 * Registered versions' model files on this machine (`.wms/cache/models`), downloaded once through the tracking
 * store (FileStore copy, MLflow artifacts, S3 — whatever the version's source names). A version's files never
 * change, so the folder is keyed by version and source; it is downloaded into a temporary folder and renamed into
 * place, so a crash half-way never leaves a half-downloaded model that would be used later.
 */
export class ModelFilesCache {
  private readonly inflight = new Map<string, Promise<string>>()

  constructor(private readonly dir: string) {}

  /** The local folder of `version`'s model files, downloaded if need be. */
  folder(store: TrackingStore, version: ModelVersion): Promise<string> {
    const key = `v${version.version}-${createHash('sha256').update(`${store.display}\n${version.source}`).digest('hex').slice(0, 12)}`
    let found = this.inflight.get(key)
    if (found === undefined) {
      found = this.ensure(store, version, path.join(this.dir, key)).finally(() => this.inflight.delete(key))
      this.inflight.set(key, found)
    }
    return found
  }

  private async ensure(store: TrackingStore, version: ModelVersion, target: string): Promise<string> {
    const cached = await readLocation(target)
    if (cached !== undefined) return cached
    await mkdir(this.dir, { recursive: true, mode: 0o700 })
    const partial = await mkdtemp(path.join(this.dir, '.partial-'))
    try {
      const downloaded = await store.downloadArtifactUri(version.source, path.join(partial, 'files'))
      const relative = path.relative(partial, downloaded)
      await writeFile(path.join(partial, LOCATION_FILE), JSON.stringify({ relative }))
      await rename(partial, target).catch(async (thrown: unknown) => {
        // Another download of the same version won the race: keep its folder.
        if ((await readLocation(target)) === undefined) throw thrown
        await rm(partial, { recursive: true, force: true })
      })
    } catch (thrown) {
      await rm(partial, { recursive: true, force: true })
      throw thrown
    }
    const located = await readLocation(target)
    if (located === undefined) throw new Error(`the downloaded model of v${version.version} vanished from ${target}`)
    return located
  }
}

async function readLocation(folder: string): Promise<string | undefined> {
  try {
    const { relative } = JSON.parse(await readFile(path.join(folder, LOCATION_FILE), 'utf8')) as { relative: string }
    const resolved = path.resolve(folder, relative)
    // The marker is ours, but a hand-edited one must not point outside the cache.
    return resolved.startsWith(folder + path.sep) ? resolved : undefined
  } catch {
    return undefined
  }
}
