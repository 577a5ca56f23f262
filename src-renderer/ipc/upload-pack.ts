/**
 * Packs an upload as the contract's UPLOAD_PACK_FORMAT: a 4-byte little-endian header length, the request as
 * UTF-8 JSON, then the files' bytes, copied into one buffer (one copy; the host slices it without copying).
 */
export function packUpload(request: unknown, contents: readonly ArrayBuffer[]): Uint8Array<ArrayBuffer> {
  const header = new TextEncoder().encode(JSON.stringify(request))
  const total = 4 + header.byteLength + contents.reduce((sum, content) => sum + content.byteLength, 0)
  const pack = new Uint8Array(total)
  new DataView(pack.buffer).setUint32(0, header.byteLength, true)
  pack.set(header, 4)
  let offset = 4 + header.byteLength
  for (const content of contents) {
    pack.set(new Uint8Array(content), offset)
    offset += content.byteLength
  }
  return pack
}
