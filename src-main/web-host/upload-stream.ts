import { mkdir, mkdtemp, open, readdir, readFile, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import type { UploadedFile } from '@wms/shared/ipc/contract'
import { err, type Result } from '@wms/shared/result'
import { formatMegabytes } from '@wms/shared/ipc/upload-limit'
import type { DispatchUpload } from '../ipc/dispatch.js'
import { headerLength, parseUploadHeader, sizeMismatch } from '../ipc/upload-pack.js'

/**
 * Reads a request body piece by piece: exact byte counts for the header, and files copied straight to disk, so the
 * web host holds one network chunk at a time however large the upload is.
 */
export class BodyReader {
  private readonly chunks: AsyncIterator<Buffer>
  private leftover: Buffer | undefined
  private ended = false
  /** Bytes taken from the body so far. */
  consumed = 0

  constructor(body: AsyncIterable<Buffer>) {
    this.chunks = body[Symbol.asyncIterator]()
  }

  /** Exactly `size` bytes, or `undefined` when the body ends first. */
  async read(size: number): Promise<Buffer | undefined> {
    const parts: Buffer[] = []
    const complete = await this.copy(size, (chunk) => {
      parts.push(Buffer.from(chunk))
      return Promise.resolve()
    })
    return complete ? Buffer.concat(parts) : undefined
  }

  /** Passes exactly `size` bytes to `write`, chunk by chunk; false when the body ends first. */
  async copy(size: number, write: (chunk: Buffer) => Promise<unknown>): Promise<boolean> {
    let left = size
    while (left > 0) {
      const chunk = await this.next()
      if (chunk === undefined) return false
      const taken = chunk.length > left ? chunk.subarray(0, left) : chunk
      if (chunk.length > left) this.leftover = Buffer.from(chunk.subarray(left))
      this.consumed += taken.length
      left -= taken.length
      await write(taken)
    }
    return true
  }

  /** Reads and discards what is left, up to `limit` more bytes; true when the body ended within it. */
  async drain(limit: number): Promise<boolean> {
    let drained = 0
    for (let chunk = await this.next(); chunk !== undefined; chunk = await this.next()) {
      drained += chunk.length
      this.consumed += chunk.length
      if (drained > limit) return false
    }
    return true
  }

  // A client that goes away mid-upload ends the body early: the upload is then short (an invalid payload answered
  // to nobody), not an internal error.
  private async next(): Promise<Buffer | undefined> {
    if (this.leftover !== undefined) {
      const chunk = this.leftover
      this.leftover = undefined
      return chunk
    }
    while (!this.ended) {
      let next: IteratorResult<Buffer, unknown>
      try {
        next = await this.chunks.next()
      } catch {
        this.ended = true
        return undefined
      }
      if (next.done === true) this.ended = true
      else if (next.value.length > 0) return next.value
    }
    return undefined
  }
}

const SPOOL_WRITE_BYTES = 1024 * 1024
const SPOOL_PREFIX = 'wms-upload-'

/**
 * Prepares the spool folder (for the user only) and removes spools that a killed host left behind. Only spools
 * older than `olderThanMs` go: another host on the same workspace may be receiving an upload right now.
 */
export async function prepareSpoolDir(spoolDir: string, olderThanMs = 60 * 60_000, now = Date.now()): Promise<void> {
  await mkdir(spoolDir, { recursive: true, mode: 0o700 })
  for (const name of await readdir(spoolDir)) {
    if (!name.startsWith(SPOOL_PREFIX)) continue
    const info = await stat(path.join(spoolDir, name)).catch(() => undefined)
    if (info !== undefined && now - info.mtimeMs > olderThanMs) {
      await rm(path.join(spoolDir, name), { recursive: true, force: true })
    }
  }
}

/** Options of {@link receiveUpload}. */
export interface ReceiveUploadOptions {
  /** Folder under which each upload gets a private spool folder (removed when the upload is done). */
  spoolDir: string
  /** Largest upload, all files together. */
  maxTotalBytes: number
}

/**
 * Receives one upload pack from a stream: reads and checks the request first (channel, schema, per-file limit),
 * so a refused upload is refused before its bytes are read; then spools each file to disk and runs the handler
 * on files it reads back one group at a time.
 */
export async function receiveUpload(
  reader: BodyReader,
  channel: string,
  dispatchUpload: DispatchUpload,
  options: ReceiveUploadOptions,
): Promise<Result<unknown>> {
  const first = await reader.read(4)
  if (first === undefined) return err({ code: 'ipc/invalid-payload', message: 'Upload is too short to hold a header.' })
  const length = headerLength(first)
  if (!length.ok) return length
  const header = await reader.read(length.value)
  if (header === undefined) {
    return err({ code: 'ipc/invalid-payload', message: 'Upload header is longer than the upload.' })
  }
  const request = parseUploadHeader(header)
  if (!request.ok) return request
  const opened = dispatchUpload.open(channel, request.value)
  if (!opened.ok) return opened
  const total = opened.value.sizes.reduce((sum, size) => sum + size, 0)
  if (total > options.maxTotalBytes) {
    return err({
      code: 'ipc/too-large',
      message: `This upload is ${formatMegabytes(total)}; the web host takes up to ${formatMegabytes(options.maxTotalBytes)} at once.`,
      hint: 'Add the files in smaller groups.',
    })
  }
  const spool = await mkdtemp(path.join(options.spoolDir, SPOOL_PREFIX))
  try {
    const filesStart = reader.consumed
    const files = await spoolFiles(reader, opened.value.sizes, spool)
    if (files === undefined) return sizeMismatch(reader.consumed - filesStart, total)
    if (!(await reader.drain(0))) {
      await reader.drain(options.maxTotalBytes)
      return sizeMismatch(reader.consumed - filesStart, total)
    }
    return await opened.value.run(files)
  } finally {
    await rm(spool, { recursive: true, force: true })
  }
}

// Each file to its own spool file (created for the user only); undefined when the body ends early.
async function spoolFiles(
  reader: BodyReader,
  sizes: readonly number[],
  spool: string,
): Promise<UploadedFile[] | undefined> {
  const files: UploadedFile[] = []
  const buffer = new WriteBuffer(SPOOL_WRITE_BYTES)
  for (const [index, size] of sizes.entries()) {
    const file = path.join(spool, String(index))
    const handle = await open(file, 'wx', 0o600)
    let complete: boolean
    try {
      complete = await reader.copy(size, (chunk) => buffer.add(chunk, (bytes) => handle.write(bytes)))
      await buffer.flush((bytes) => handle.write(bytes))
    } finally {
      await handle.close()
    }
    if (!complete) return undefined
    files.push({ size, bytes: () => readFile(file) })
  }
  return files
}

/**
 * Gathers small network chunks into one buffer and writes it when full: network chunks are 16-64 KiB, and one
 * write per chunk makes syscalls, not the disk, the limit. Chunks are copied as they come, since a stream's chunk is
 * not promised to stay unchanged once the next one is read.
 */
class WriteBuffer {
  private readonly bytes: Buffer
  private filled = 0

  constructor(size: number) {
    this.bytes = Buffer.allocUnsafe(size)
  }

  async add(chunk: Buffer, write: (bytes: Buffer) => Promise<unknown>): Promise<void> {
    let offset = 0
    while (offset < chunk.length) {
      const copied = chunk.copy(this.bytes, this.filled, offset)
      this.filled += copied
      offset += copied
      if (this.filled === this.bytes.length) await this.flush(write)
    }
  }

  async flush(write: (bytes: Buffer) => Promise<unknown>): Promise<void> {
    if (this.filled === 0) return
    const full = this.bytes.subarray(0, this.filled)
    this.filled = 0
    await write(full)
  }
}
