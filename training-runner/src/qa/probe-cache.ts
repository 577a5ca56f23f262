import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { ProbedFile } from '@wms/shared/qa/probe'
import type { FileIdentity } from './dataset-files.js'

/**
 * The on-disk QA cache, so an unchanged file is never probed twice:
 * - file identity (real path, size, mtime, ctime, inode) → MD5, like DVC's state database, so an unchanged file
 *   is not even hashed again;
 * - (probe version, role, MD5, pixel limit) → probe result, so the same content under another name, in another
 *   folder or on another day is not decoded again.
 * Probes hold measured values only (no thresholds), so a policy change re-judges cached probes without decoding.
 * One JSON file, loaded once and replaced atomically; a corrupt or foreign file is ignored and rebuilt.
 */

/** Bumped whenever what a probe measures changes, which invalidates every cached probe. */
export const PROBE_VERSION = 2

const FILE_NAME = `qa-probes-v${String(PROBE_VERSION)}.json`
/** Entries kept beyond those used by the current run, oldest dropped first. */
const MAX_ENTRIES = 50_000

/** A probe as cached: everything but the display path. */
export type CachedProbe = DistributiveOmit<ProbedFile, 'relpath'>
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

interface CacheFile {
  version: number
  /** realpath → [size, mtimeMs, ctimeMs, ino, md5] */
  files: Record<string, [number, number, number, number, string]>
  probes: Record<string, CachedProbe>
}

/** The default cache folder: `$XDG_CACHE_HOME/wms-studio/qa` or `~/.cache/wms-studio/qa`. */
export function defaultQaCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== ''
      ? env.XDG_CACHE_HOME
      : path.join(os.homedir(), '.cache')
  return path.join(base, 'wms-studio', 'qa')
}

/** A loaded cache; `save()` writes it back if anything changed. A cache without a folder keeps to memory. */
export class ProbeCache {
  private readonly files: Map<string, [number, number, number, number, string]>
  private readonly probes: Map<string, CachedProbe>
  private readonly used = new Set<string>()
  private dirty = false

  private constructor(
    private readonly dir: string | undefined,
    data: CacheFile | undefined,
  ) {
    this.files = new Map(Object.entries(data?.files ?? {}))
    this.probes = new Map(Object.entries(data?.probes ?? {}))
  }

  /** Loads the cache in `dir` (created on save), or an in-memory cache when `dir` is undefined. */
  static async open(dir: string | undefined): Promise<ProbeCache> {
    if (dir === undefined) return new ProbeCache(undefined, undefined)
    try {
      const parsed = JSON.parse(await readFile(path.join(dir, FILE_NAME), 'utf8')) as Partial<CacheFile>
      if (parsed.version !== PROBE_VERSION || typeof parsed.files !== 'object' || typeof parsed.probes !== 'object') {
        return new ProbeCache(dir, undefined)
      }
      const data = parsed as CacheFile
      for (const probe of Object.values(data.probes)) {
        if (probe.ok && probe.mask !== undefined) probe.mask.histogram = expandHistogram(probe.mask.histogram)
      }
      return new ProbeCache(dir, data)
    } catch {
      return new ProbeCache(dir, undefined)
    }
  }

  /** The MD5 remembered for a file whose identity has not changed. */
  md5For(identity: FileIdentity): string | undefined {
    const entry = this.files.get(identity.realpath)
    if (entry === undefined) return undefined
    const [size, mtimeMs, ctimeMs, ino, md5] = entry
    const same =
      size === identity.size && mtimeMs === identity.mtimeMs && ctimeMs === identity.ctimeMs && ino === identity.ino
    if (same) this.used.add(`f:${identity.realpath}`)
    return same ? md5 : undefined
  }

  /** Remembers a file's MD5 under its identity. */
  rememberMd5(identity: FileIdentity, md5: string): void {
    this.files.set(identity.realpath, [identity.size, identity.mtimeMs, identity.ctimeMs, identity.ino, md5])
    this.used.add(`f:${identity.realpath}`)
    this.dirty = true
  }

  /** The cached probe of this content in this role under this pixel limit. */
  probe(key: string): CachedProbe | undefined {
    const probe = this.probes.get(key)
    if (probe !== undefined) this.used.add(`p:${key}`)
    return probe
  }

  /** Caches a probe. */
  rememberProbe(key: string, probe: CachedProbe): void {
    this.probes.set(key, probe)
    this.used.add(`p:${key}`)
    this.dirty = true
  }

  /** Writes the cache if it changed (atomically: temp file + rename). Errors are ignored: a cache is optional. */
  async save(): Promise<void> {
    if (this.dir === undefined || !this.dirty) return
    prune(this.files, (key) => this.used.has(`f:${key}`))
    prune(this.probes, (key) => this.used.has(`p:${key}`))
    const data: CacheFile = {
      version: PROBE_VERSION,
      files: Object.fromEntries(this.files),
      probes: Object.fromEntries([...this.probes].map(([key, probe]) => [key, compactProbe(probe)])),
    }
    try {
      await mkdir(this.dir, { recursive: true })
      const target = path.join(this.dir, FILE_NAME)
      const temp = `${target}.${String(process.pid)}.${String(Date.now())}.tmp`
      await writeFile(temp, JSON.stringify(data))
      await rename(temp, target)
      this.dirty = false
      // Caches of older probe versions can never be read again.
      for (let version = 1; version < PROBE_VERSION; version += 1) {
        await rm(path.join(this.dir, `qa-probes-v${String(version)}.json`), { force: true })
      }
    } catch {
      // A read-only or full cache folder makes the next run slower, never wrong.
    }
  }
}

/** The cache key of a probe. */
export function probeKey(role: 'image' | 'mask', md5: string, maxPixels: number): string {
  return `${role}:${md5}:${String(maxPixels)}`
}

/**
 * Mask histograms are mostly zeros (a JPEG mask uses a few dozen grey levels): on disk they are stored as
 * `[value, count, value, count, …]` for the non-zero bins, which keeps the cache small and quick to parse.
 */
function compactProbe(probe: CachedProbe): CachedProbe {
  if (!probe.ok || probe.mask === undefined) return probe
  const sparse: number[] = []
  probe.mask.histogram.forEach((count, value) => {
    if (count > 0) sparse.push(value, count)
  })
  return { ...probe, mask: { ...probe.mask, histogram: sparse } }
}

function expandHistogram(sparse: readonly number[]): number[] {
  const histogram = new Array<number>(256).fill(0)
  for (let index = 0; index + 1 < sparse.length; index += 2) histogram[sparse[index] ?? 0] = sparse[index + 1] ?? 0
  return histogram
}

function prune<V>(map: Map<string, V>, used: (key: string) => boolean): void {
  if (map.size <= MAX_ENTRIES) return
  // Map iteration is insertion order: loaded (older) entries come first.
  for (const key of map.keys()) {
    if (map.size <= MAX_ENTRIES) break
    if (!used(key)) map.delete(key)
  }
}
