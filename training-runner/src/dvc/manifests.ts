import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import { parseDirManifest, type DirEntry } from '@wms/shared/dvc/dir-manifest'
import { contentMd5, isDirHash, remoteObjectKey } from '@wms/shared/dvc/object-key'
import type { RemoteStore, PutOptions, PutOutcome } from '../adapters/storage/remote-store.js'
import { md5Bytes } from '../fs/hash-file.js'
import { temporaryPath } from '../adapters/storage/verified-copy.js'
import { dirObjectOf } from './hash-directory.js'
import { rename, rm } from 'node:fs/promises'

/** Options of {@link fetchManifest} and {@link pushManifest}. */
export interface ManifestOptions extends PutOptions {
  /**
   * A local folder of `.dir` objects already seen (`<workspace>/.wms/cache/dvc`). Manifests are immutable, so a
   * cached one never goes stale; `data status` then works offline.
   */
  cacheDir?: string
}

/**
 * The entries of the directory version `hash` (`<md5>.dir`): from the cache, else from the remote — only the
 * manifest, never the files it names. Verified against its hash; a remote that cannot be read is an error
 * (`storage/*`), never an empty dataset.
 */
export async function fetchManifest(
  store: RemoteStore,
  hash: string,
  options: ManifestOptions = {},
): Promise<DirEntry[]> {
  if (!isDirHash(hash)) {
    throw new WmsError('dataset/invalid-manifest', `${hash} is not a directory hash (expected <md5>.dir).`)
  }
  const cached = options.cacheDir === undefined ? undefined : await readCached(options.cacheDir, hash)
  if (cached !== undefined) return parseDirManifest(cached, `cached manifest ${hash}`)
  const bytes = await store.getBytes(hash, options)
  const text = new TextDecoder().decode(bytes)
  const entries = parseDirManifest(text, `${store.display}/${remoteObjectKey(hash)}`)
  if (options.cacheDir !== undefined) await writeCached(options.cacheDir, hash, text)
  return entries
}

/** Stores the `.dir` object of `entries` in the remote (if absent) and the cache; returns its hash. */
export async function pushManifest(
  store: RemoteStore,
  entries: readonly DirEntry[],
  options: ManifestOptions = {},
): Promise<{ hash: string; outcome: PutOutcome; bytes: number }> {
  const { text, hash } = dirObjectOf(entries)
  const bytes = new TextEncoder().encode(text)
  const outcome = await store.put(hash, { kind: 'bytes', bytes }, options)
  if (options.cacheDir !== undefined) await writeCached(options.cacheDir, hash, text)
  return { hash, outcome, bytes: bytes.length }
}

/** Keeps a `.dir` object in the local cache (for status and diff without a round trip). */
export async function cacheManifest(cacheDir: string, entries: readonly DirEntry[]): Promise<string> {
  const { text, hash } = dirObjectOf(entries)
  await writeCached(cacheDir, hash, text)
  return hash
}

/** A manifest from the cache only, or `undefined`. */
export async function cachedManifest(cacheDir: string, hash: string): Promise<DirEntry[] | undefined> {
  const text = await readCached(cacheDir, hash)
  return text === undefined ? undefined : parseDirManifest(text, `cached manifest ${hash}`)
}

async function readCached(cacheDir: string, hash: string): Promise<string | undefined> {
  try {
    const text = await readFile(cachedPath(cacheDir, hash), 'utf8')
    // A damaged cache entry is ignored (and replaced on the next fetch), never trusted.
    return md5Bytes(text) === contentMd5(hash) ? text : undefined
  } catch {
    return undefined
  }
}

async function writeCached(cacheDir: string, hash: string, text: string): Promise<void> {
  const file = cachedPath(cacheDir, hash)
  const temporary = temporaryPath(file)
  try {
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(temporary, text)
    await rename(temporary, file)
  } catch {
    // The cache is an optimisation: failing to write it must not fail the command.
    await rm(temporary, { force: true })
  }
}

function cachedPath(cacheDir: string, hash: string): string {
  return path.join(cacheDir, ...remoteObjectKey(hash).split('/'))
}
