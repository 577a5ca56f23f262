import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { copyFile, mkdir, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { WmsError } from '@wms/shared/errors'
import { contentMd5, type ObjectHash } from '@wms/shared/dvc/object-key'

import { temporaryName, temporaryPath } from './temporary-files.js'

export { temporaryPath }

/** Options of {@link writeVerifiedFile}. */
export interface VerifiedWriteOptions {
  expectedSize?: number
  onBytes?: (bytes: number) => void
  signal?: AbortSignal
  what: string
  /**
   * Where the temporary file goes (default: next to `destination`). A pull puts it outside the dataset folders, so
   * an interrupted transfer never leaves a file there that could be mistaken for data.
   */
  temporaryDir?: string
}

/**
 * Streams `source` into a temporary file, hashing as it goes; renames it into place only when size and MD5 match
 * `hash`, so a reader never sees a partial or corrupt file. The temporary file is removed on any failure
 * (cancellation included).
 */
export async function writeVerifiedFile(
  source: Readable,
  destination: string,
  hash: ObjectHash,
  options: VerifiedWriteOptions,
): Promise<void> {
  await mkdir(path.dirname(destination), { recursive: true })
  if (options.temporaryDir !== undefined) await mkdir(options.temporaryDir, { recursive: true })
  const temporary =
    options.temporaryDir === undefined
      ? temporaryPath(destination)
      : path.join(options.temporaryDir, temporaryName(path.basename(destination)))
  try {
    const meter = hashingMeter(options.onBytes)
    await pipeline(
      source,
      meter.transform,
      createWriteStream(temporary),
      options.signal === undefined ? {} : { signal: options.signal },
    )
    checkContent(hash, meter.md5(), meter.size(), options.expectedSize, options.what)
    await publishFile(temporary, destination)
  } catch (thrown) {
    await rm(temporary, { force: true })
    throw thrown
  }
}

/** A pass-through stream that hashes and counts what flows through it. */
export function hashingMeter(onBytes?: (bytes: number) => void): {
  transform: Transform
  md5: () => string
  size: () => number
} {
  const hash = createHash('md5')
  let size = 0
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk)
      size += chunk.length
      onBytes?.(chunk.length)
      callback(null, chunk)
    },
  })
  let digest: string | undefined
  return { transform, md5: () => (digest ??= hash.digest('hex')), size: () => size }
}

/** Throws `storage/integrity` (retryable: a transfer can go wrong once) when bytes do not match their name. */
export function checkContent(
  hash: ObjectHash,
  md5: string,
  size: number,
  expectedSize: number | undefined,
  what: string,
): void {
  if (expectedSize !== undefined && size !== expectedSize) {
    throw new WmsError(
      'storage/integrity',
      `${what}: got ${String(size)} bytes, expected ${String(expectedSize)} (object ${hash}).`,
      { retryable: true, hint: 'The transfer was cut short or the file changed; it will be retried.' },
    )
  }
  if (md5 !== contentMd5(hash)) {
    throw new WmsError('storage/integrity', `${what}: content has MD5 ${md5}, but the object is ${hash}.`, {
      retryable: true,
      hint: 'The bytes were damaged in transit or the file changed since it was hashed.',
    })
  }
}

// A temporary folder on another file system (EXDEV): copy next to the destination first, then rename, so the
// destination still appears whole or not at all.
async function publishFile(temporary: string, destination: string): Promise<void> {
  try {
    await rename(temporary, destination)
  } catch (thrown) {
    if ((thrown as NodeJS.ErrnoException).code !== 'EXDEV') throw thrown
    const beside = temporaryPath(destination)
    try {
      await copyFile(temporary, beside)
      await rename(beside, destination)
    } finally {
      await rm(beside, { force: true })
    }
  }
}
