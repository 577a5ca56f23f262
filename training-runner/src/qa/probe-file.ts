import { lstatSync, realpathSync } from 'node:fs'
import path from 'node:path'
import type { QaPolicy } from '@wms/shared/config/qa-policy'
import { computeMaskPixelStats } from '@wms/shared/qa/mask-pixel-stats'
import { perceptualHash } from '@wms/shared/qa/perceptual-hash'
import type { ProbedFile, ProbedFileOk, ProbeFailure } from '@wms/shared/qa/probe'
import { sniffFormat } from '@wms/shared/qa/sniff-format'
import type * as JpegHeader from '../adapters/images/jpeg-header.js'
import type * as JpegMaskStats from '../adapters/images/jpeg-mask-stats.js'
import type * as SharpImage from '../adapters/images/sharp-image.js'
import type { DecodeLimits } from '../adapters/images/sharp-image.js'
import { md5Bytes } from '../fs/hash-file.js'
import {
  checkDatasetFile,
  isInside,
  readDatasetFileSync,
  readFailure,
  type DatasetFile,
  type FileIdentity,
} from './dataset-files.js'
import { probeKey, type CachedProbe, type ProbeCache } from './probe-cache.js'
import type { ReadBuffers } from './read-buffers.js'

/**
 * Probing one file: check it may be read, hash it, and measure what the rules need, as cheaply as possible —
 * header and metadata without decoding, a reduced-size decode of photos for the perceptual hash, one full decode
 * of masks for their statistics — each under the pixel and time limits, and each answer cached by content hash.
 */

// The image stack (sharp, libvips, the EXIF reader) loads on the first file that must be decoded: a warm run, where
// every probe comes from the cache, never loads it.
let imageStack: Promise<typeof SharpImage> | undefined
const loadImageStack = (): Promise<typeof SharpImage> => (imageStack ??= import('../adapters/images/sharp-image.js'))
type JpegReaders = typeof JpegHeader & typeof JpegMaskStats
let jpegReaders: Promise<JpegReaders> | undefined
const loadJpegReaders = (): Promise<JpegReaders> =>
  (jpegReaders ??= Promise.all([
    import('../adapters/images/jpeg-header.js'),
    import('../adapters/images/jpeg-mask-stats.js'),
  ]).then(([header, mask]) => ({ ...header, ...mask })))

/**
 * Loads the image stack now, so that the first file to decode does not wait for it (the app's QA worker calls this
 * when the staging area opens). Resolves once loaded; never rejects (a load failure shows on the first decode).
 */
export async function preloadDecoders(): Promise<void> {
  await Promise.all([loadImageStack(), loadJpegReaders()]).catch(() => undefined)
}

/** The role a file plays in its pair. */
export type FileRole = 'image' | 'mask'

/** What probing needs besides the file. */
export interface ProbeContext {
  policy: QaPolicy
  cache: ProbeCache
  /** Folder real paths memoised for this run. */
  realDirs?: Map<string, Promise<string>>
  /** The same, for {@link cachedProbe}. */
  realDirsSync?: Map<string, string>
  /** Reused buffers to read files into (fresh ones per file when absent). */
  buffers?: ReadBuffers
}

// The name the user gave (relpath) decides the extension: the file itself may be a content-addressed blob.
const extensionOf = (file: DatasetFile): string =>
  path.extname(file.relpath === '' ? file.path : file.relpath).toLowerCase()

function failed(file: DatasetFile, bytes: number, failure: ProbeFailure, extra: Partial<ProbedFile> = {}): ProbedFile {
  return { ok: false, relpath: file.relpath, bytes, extension: extensionOf(file), failure, ...extra } as ProbedFile
}

/**
 * The cached probe of an unchanged plain file, found without awaiting anything (one lstat, memoised folder real
 * paths, two map look-ups), or undefined when the file must go through {@link probeFile}: new or changed files,
 * symlinks, empty or oversized files, anything that is not a regular file inside its dataset folder — the full
 * check reports those. A warm run answers every file here, with no promise per file.
 */
export function cachedProbe(file: DatasetFile, role: FileRole, context: ProbeContext): ProbedFile | undefined {
  let info
  try {
    info = lstatSync(file.path)
  } catch {
    return undefined
  }
  if (!info.isFile() || info.size === 0 || info.size > context.policy.maxFileBytes) return undefined
  const slash = file.path.lastIndexOf(path.sep)
  const dir = slash <= 0 ? path.dirname(file.path) : file.path.slice(0, slash)
  const realDirs = (context.realDirsSync ??= new Map<string, string>())
  let realDir = realDirs.get(dir)
  if (realDir === undefined) {
    try {
      realDir = realpathSync(dir)
    } catch {
      return undefined
    }
    realDirs.set(dir, realDir)
  }
  // Most folders are their own real path, and the file's path is then its real path (no join, no normalising).
  const realpath = realDir === dir ? file.path : path.join(realDir, path.basename(file.path))
  if (!isInside(file.root, realpath)) return undefined
  const { size, mtimeMs, ctimeMs, ino } = info
  const md5 = context.cache.md5For({ realpath, size, mtimeMs, ctimeMs, ino })
  const cached = md5 === undefined ? undefined : context.cache.probe(probeKey(role, md5, context.policy.maxPixels))
  return cached === undefined ? undefined : { ...cached, relpath: file.relpath, extension: extensionOf(file) }
}

/** Probes one file (never throws: every problem becomes a failed probe). */
export async function probeFile(file: DatasetFile, role: FileRole, context: ProbeContext): Promise<ProbedFile> {
  const check = await checkDatasetFile(file, context.realDirs)
  if (!check.ok) return failed(file, check.size, check.failure)
  const { identity } = check
  if (identity.size === 0) return failed(file, 0, { kind: 'empty', detail: '0 bytes' })
  if (identity.size > context.policy.maxFileBytes) {
    return failed(file, identity.size, { kind: 'too-large', detail: `${String(identity.size)} bytes` })
  }

  const limits: DecodeLimits = { maxPixels: context.policy.maxPixels, timeoutMs: context.policy.perFileTimeoutMs }
  const knownMd5 = context.cache.md5For(identity)
  if (knownMd5 !== undefined) {
    const cached = context.cache.probe(probeKey(role, knownMd5, limits.maxPixels))
    if (cached !== undefined) return { ...cached, relpath: file.relpath, extension: extensionOf(file) }
  }

  const buffers = context.buffers
  let bytes: Buffer
  try {
    bytes = readDatasetFileSync(identity, context.policy.maxFileBytes, buffers && ((size) => buffers.borrow(size)))
  } catch (thrown) {
    return failed(file, identity.size, readFailure(thrown))
  }
  const md5 = knownMd5 ?? md5Bytes(bytes)
  if (knownMd5 === undefined) context.cache.rememberMd5(identity, md5)
  const key = probeKey(role, md5, limits.maxPixels)
  if (knownMd5 === undefined) {
    const cached = context.cache.probe(key)
    if (cached !== undefined) {
      buffers?.release(bytes)
      return { ...cached, relpath: file.relpath, extension: extensionOf(file) }
    }
  }

  const late = { timedOut: false }
  const probe = await withTimeLimit(measure(bytes, md5, role, file, identity, limits), limits.timeoutMs, () => {
    late.timedOut = true
    return failed(file, identity.size, { kind: 'timeout', detail: `over ${String(limits.timeoutMs)} ms` }, { md5 })
  })
  // A decode past its time limit may still be reading the bytes: that buffer is left to the garbage collector.
  if (!late.timedOut) buffers?.release(bytes)
  // A timeout may be the machine being busy, not the file: do not remember it.
  if (probe.ok || probe.failure.kind !== 'timeout') {
    context.cache.rememberProbe(key, withoutRelpath(probe))
  }
  return probe
}

async function measure(
  bytes: Buffer,
  md5: string,
  role: FileRole,
  file: DatasetFile,
  identity: FileIdentity,
  limits: DecodeLimits,
): Promise<ProbedFile> {
  const format = sniffFormat(bytes)
  const base = { relpath: file.relpath, bytes: identity.size, md5, extension: extensionOf(file), format }
  if (format !== 'jpeg' && format !== 'png') {
    return { ok: false, ...base, failure: { kind: 'unsupported-format', detail: `content is ${format}` } }
  }
  const [images, jpeg] = await Promise.all([loadImageStack(), loadJpegReaders()])
  const { checkPixelLimit, classifyDecodeError, decodeMaskPixels, readImageHeader } = images
  try {
    // Plain JPEG headers are read here in JavaScript (one libvips call less per file); libvips answers the rest.
    const quick = format === 'jpeg' ? jpeg.readJpegHeader(bytes) : undefined
    const { header, metadata } = quick ?? (await readImageHeader(bytes))
    checkPixelLimit(header, limits)
    const probe: ProbedFileOk = { ok: true, ...base, header, metadata }
    if (role === 'image') {
      // A plain JPEG's EXIF was read above: libvips need not parse it again (the bytes are ours to change).
      const withoutExif = quick === undefined ? undefined : jpeg.dropApp1Segments(bytes)
      const pixels =
        quick === undefined || withoutExif === undefined
          ? await images.decodeHashPixels(bytes, limits)
          : await images.decodeHashPixelsWithoutExif(withoutExif, header.orientation, limits)
      probe.phash = perceptualHash(pixels)
    } else {
      // A plain grey JPEG mask is counted from its blocks (exactly what libvips' decode gives); others decode.
      const counted = quick !== undefined && header.channels === 1 ? jpeg.jpegMaskStats(bytes) : undefined
      probe.mask = counted ?? computeMaskPixelStats(await decodeMaskPixels(bytes, header, limits))
    }
    return probe
  } catch (thrown) {
    return { ok: false, ...base, failure: classifyDecodeError(thrown) }
  }
}

function withoutRelpath(probe: ProbedFile): CachedProbe {
  const cached: Partial<ProbedFile> = { ...probe }
  delete cached.relpath
  return cached as CachedProbe
}

async function withTimeLimit<T>(work: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => {
      resolve(onTimeout())
    }, ms)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}
