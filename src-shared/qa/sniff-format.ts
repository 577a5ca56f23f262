import type { ImageFormat } from './probe.js'

/**
 * Recognises a picture format from a file's first bytes (magic numbers), so a `.jpg` that holds a PNG, a HEIC
 * or plain text is named for what it is. Needs the first 32 bytes at most.
 */

/** How many leading bytes {@link sniffFormat} looks at. */
export const SNIFF_BYTES = 32

const startsWith = (bytes: Uint8Array, signature: readonly number[], offset = 0): boolean =>
  bytes.length >= offset + signature.length && signature.every((value, index) => bytes[offset + index] === value)

const ascii = (bytes: Uint8Array, from: number, to: number): string => {
  let text = ''
  for (let index = from; index < Math.min(to, bytes.length); index += 1) text += String.fromCharCode(bytes[index] ?? 0)
  return text
}

/** The format the bytes are in, or `unknown`. */
export function sniffFormat(bytes: Uint8Array): ImageFormat {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg'
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png'
  const head = ascii(bytes, 0, SNIFF_BYTES)
  if (head.startsWith('GIF87a') || head.startsWith('GIF89a')) return 'gif'
  if (head.startsWith('RIFF') && head.slice(8, 12) === 'WEBP') return 'webp'
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff'
  if (head.startsWith('BM')) return 'bmp'
  if (head.slice(4, 8) === 'ftyp') {
    const brand = head.slice(8, 12)
    if (brand === 'avif' || brand === 'avis') return 'avif'
    if (['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return 'heif'
  }
  const text = head.trimStart()
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) return 'svg'
  return 'unknown'
}
