import { err, ok, type Result } from '@wms/shared/result'

/** An upload split into its request and the bytes of its files (views into the received buffer, no copies). */
export interface UnpackedUpload {
  request: unknown
  /** The bytes after the header, to be cut by the request's file sizes. */
  body: Uint8Array
}

/** Reads the contract's upload pack: u32le header length, UTF-8 JSON request, then the files' bytes. */
export function unpackUpload(pack: Uint8Array): Result<UnpackedUpload> {
  if (pack.byteLength < 4) return err({ code: 'ipc/invalid-payload', message: 'Upload is too short to hold a header.' })
  const length = new DataView(pack.buffer, pack.byteOffset, pack.byteLength).getUint32(0, true)
  if (4 + length > pack.byteLength) {
    return err({ code: 'ipc/invalid-payload', message: 'Upload header is longer than the upload.' })
  }
  let request: unknown
  try {
    request = JSON.parse(Buffer.from(pack.buffer, pack.byteOffset + 4, length).toString('utf8'))
  } catch {
    return err({ code: 'ipc/invalid-payload', message: 'Upload header is not valid JSON.' })
  }
  return ok({ request, body: pack.subarray(4 + length) })
}

/** Cuts `body` into files of the given sizes; the sizes must account for every byte. */
export function sliceFiles(body: Uint8Array, sizes: readonly number[]): Result<Uint8Array[]> {
  const total = sizes.reduce((sum, size) => sum + size, 0)
  if (total !== body.byteLength) {
    return err({
      code: 'ipc/invalid-payload',
      message: `Upload carries ${String(body.byteLength)} bytes of files, but its request lists ${String(total)}.`,
    })
  }
  const files: Uint8Array[] = []
  let offset = 0
  for (const size of sizes) {
    files.push(body.subarray(offset, offset + size))
    offset += size
  }
  return ok(files)
}
