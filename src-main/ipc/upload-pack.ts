import type { UploadedFile } from '@wms/shared/ipc/contract'
import { err, ok, type Result } from '@wms/shared/result'

/** An upload split into its request and the bytes of its files (views into the received buffer, no copies). */
export interface UnpackedUpload {
  request: unknown
  /** The bytes after the header, to be cut by the request's file sizes. */
  body: Uint8Array
}

/** Longest accepted request header of an upload (a list of up to 2048 paths fits many times over). */
export const MAX_UPLOAD_HEADER_BYTES = 4 * 1024 * 1024

/** Reads the header length of an upload pack (its first 4 bytes, u32 little-endian), refusing absurd lengths. */
export function headerLength(first4: Uint8Array): Result<number> {
  const length = new DataView(first4.buffer, first4.byteOffset, 4).getUint32(0, true)
  if (length > MAX_UPLOAD_HEADER_BYTES) {
    return err({ code: 'ipc/invalid-payload', message: `Upload header of ${String(length)} bytes is too long.` })
  }
  return ok(length)
}

/** Parses an upload's JSON request header. */
export function parseUploadHeader(header: Uint8Array): Result<unknown> {
  try {
    return ok(JSON.parse(Buffer.from(header.buffer, header.byteOffset, header.byteLength).toString('utf8')))
  } catch {
    return err({ code: 'ipc/invalid-payload', message: 'Upload header is not valid JSON.' })
  }
}

/** Reads the contract's upload pack: u32le header length, UTF-8 JSON request, then the files' bytes. */
export function unpackUpload(pack: Uint8Array): Result<UnpackedUpload> {
  if (pack.byteLength < 4) return err({ code: 'ipc/invalid-payload', message: 'Upload is too short to hold a header.' })
  const length = headerLength(pack)
  if (!length.ok) return length
  if (4 + length.value > pack.byteLength) {
    return err({ code: 'ipc/invalid-payload', message: 'Upload header is longer than the upload.' })
  }
  const request = parseUploadHeader(pack.subarray(4, 4 + length.value))
  if (!request.ok) return request
  return ok({ request: request.value, body: pack.subarray(4 + length.value) })
}

/** The error of an upload whose bytes do not match the sizes its request lists. */
export function sizeMismatch(received: number, listed: number): Result<never> {
  return err({
    code: 'ipc/invalid-payload',
    message: `Upload carries ${String(received)} bytes of files, but its request lists ${String(listed)}.`,
  })
}

/** Cuts `body` into files of the given sizes (views, no copies); the sizes must account for every byte. */
export function filesInMemory(body: Uint8Array, sizes: readonly number[]): Result<UploadedFile[]> {
  const total = sizes.reduce((sum, size) => sum + size, 0)
  if (total !== body.byteLength) return sizeMismatch(body.byteLength, total)
  const files: UploadedFile[] = []
  let offset = 0
  for (const size of sizes) {
    const bytes = body.subarray(offset, offset + size)
    files.push({ size, bytes: () => Promise.resolve(bytes) })
    offset += size
  }
  return ok(files)
}
