import type { ImageHeader, MetadataFacts } from '@wms/shared/qa/probe'
import exifReader from 'exif-reader'
import { metadataFacts } from './metadata-facts.js'

/**
 * The header facts of an ordinary JPEG read straight from its marker segments, as libvips would report them,
 * without a libvips call: the frame header (size, components, precision), the EXIF, XMP and IPTC blocks and the
 * ICC profile chunks. Only the plain cases are answered — one 8-bit Huffman-coded frame of 1 (grey) or 3 (colour)
 * components, well-formed segments, ICC chunks that add up. Anything else (CMYK, 12-bit, arithmetic coding, a
 * damaged segment, EXIF that does not parse) returns undefined, and the caller asks libvips, whose answer and
 * errors stay the reference. A test compares both readers on generated, hostile and real files.
 */

const SOI = 0xd8
const SOS = 0xda
const EOI = 0xd9
/** Start-of-frame markers of Huffman-coded JPEGs: baseline, extended sequential, progressive. */
const HUFFMAN_FRAMES = new Set([0xc0, 0xc1, 0xc2])
/** Every start-of-frame marker (the others are answered by libvips). */
const ANY_FRAME = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf])
const APP1 = 0xe1
const APP2 = 0xe2
const APP13 = 0xed

const startsWith = (segment: Buffer, text: string): boolean =>
  segment.length >= text.length && segment.toString('latin1', 0, text.length) === text

interface Segments {
  frame?: { marker: number; precision: number; height: number; width: number; components: number }
  frames: number
  exif?: Buffer
  xmp?: Buffer
  iptc?: Buffer
  icc: { sequence: number; count: number }[]
  /** Where each APP1 segment (EXIF, XMP) lies: [first byte, end), fill bytes before its marker included. */
  app1: [number, number][]
}

/** The marker segments before the first scan, or undefined when the stream is not a well-formed JPEG header. */
function readSegments(bytes: Buffer): Segments | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== SOI) return undefined
  const found: Segments = { frames: 0, icc: [], app1: [] }
  let at = 2
  for (;;) {
    if (at + 4 > bytes.length || bytes[at] !== 0xff) return undefined
    const segmentStart = at
    while (bytes[at + 1] === 0xff && at + 2 < bytes.length) at += 1 // fill bytes
    const marker = bytes[at + 1] ?? 0
    if (marker === SOS) return found
    if (marker === EOI || marker === SOI || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) return undefined
    const length = bytes.readUInt16BE(at + 2)
    if (length < 2 || at + 2 + length > bytes.length) return undefined
    const data = bytes.subarray(at + 4, at + 2 + length)
    if (marker === APP1) found.app1.push([segmentStart, at + 2 + length])
    if (ANY_FRAME.has(marker)) {
      found.frames += 1
      if (data.length < 6) return undefined
      found.frame = {
        marker,
        precision: data[0] ?? 0,
        height: data.readUInt16BE(1),
        width: data.readUInt16BE(3),
        components: data[5] ?? 0,
      }
    } else if (marker === APP1 && data.length > 4 && startsWith(data, 'Exif')) {
      found.exif = data
    } else if (marker === APP1 && data.length > 4 && startsWith(data, 'http')) {
      // libvips keeps the XMP packet from its first '<' on.
      const xml = data.indexOf(0x3c)
      if (xml >= 0) found.xmp = data.subarray(xml)
    } else if (marker === APP13 && data.length > 14 && startsWith(data, 'Photoshop 3.0')) {
      found.iptc = data
    } else if (marker === APP2 && data.length >= 14 && startsWith(data, 'ICC_PROFILE\0')) {
      found.icc.push({ sequence: data[12] ?? 0, count: data[13] ?? 0 })
    }
    at += 2 + length
  }
}

/** Whether libjpeg would assemble an ICC profile from these chunks; undefined when it would complain. */
function iccProfilePresent(chunks: Segments['icc']): boolean | undefined {
  if (chunks.length === 0) return false
  const count = chunks[0]?.count ?? 0
  const seen = new Set<number>()
  for (const chunk of chunks) {
    if (chunk.count !== count || chunk.sequence < 1 || chunk.sequence > count || seen.has(chunk.sequence)) {
      return undefined
    }
    seen.add(chunk.sequence)
  }
  return seen.size === count ? true : undefined
}

type ExifTags = ReturnType<typeof exifReader>

/** The parsed EXIF block (null without one), or undefined when exif-reader cannot read it. */
function parseExif(exif: Buffer | undefined): ExifTags | null | undefined {
  if (exif === undefined) return null
  try {
    return exifReader(exif)
  } catch {
    return undefined
  }
}

/** EXIF orientation as libvips reports it: clipped to 1–8, 1 without a tag. */
function orientationOf(tags: ExifTags | null): number {
  const value = (tags?.Image as Record<string, unknown> | undefined)?.Orientation
  return typeof value === 'number' ? Math.min(8, Math.max(1, Math.trunc(value))) : 1
}

/** Header and privacy facts of a plain JPEG without libvips, or undefined to ask libvips instead. */
export function readJpegHeader(bytes: Buffer): { header: ImageHeader; metadata: MetadataFacts } | undefined {
  const segments = readSegments(bytes)
  const frame = segments?.frame
  if (segments === undefined || frame === undefined || segments.frames !== 1) return undefined
  if (!HUFFMAN_FRAMES.has(frame.marker) || frame.precision !== 8) return undefined
  if (frame.width === 0 || frame.height === 0 || (frame.components !== 1 && frame.components !== 3)) return undefined
  const hasProfile = iccProfilePresent(segments.icc)
  const tags = parseExif(segments.exif)
  if (hasProfile === undefined || tags === undefined) return undefined
  const orientation = orientationOf(tags)
  const header: ImageHeader = {
    width: frame.width,
    height: frame.height,
    orientation,
    channels: frame.components,
    space: frame.components === 1 ? 'b-w' : 'srgb',
    depth: 'uchar',
    hasAlpha: false,
    isPalette: false,
    hasProfile,
  }
  const blocks = { exif: segments.exif, xmp: segments.xmp, iptc: segments.iptc }
  return { header, metadata: metadataFacts(tags === null ? blocks : { ...blocks, exifTags: tags }) }
}

/**
 * The same JPEG without its APP1 segments (EXIF, XMP), compacted in place (`bytes` is changed; the result is a
 * shorter view of it), or undefined when the header is not well formed. For decodes that need neither: libvips
 * parses the EXIF block on every load, which costs more than the reduced decode of a photo's pixels. Nothing
 * else changes: APP2 (ICC) and APP14 (Adobe colour transform), which decoding uses, stay.
 */
export function dropApp1Segments(bytes: Buffer): Buffer | undefined {
  const segments = readSegments(bytes)
  if (segments === undefined) return undefined
  let write = segments.app1[0]?.[0] ?? bytes.length
  segments.app1.forEach(([, end], index) => {
    const next = segments.app1[index + 1]?.[0] ?? bytes.length
    bytes.copyWithin(write, end, next)
    write += next - end
  })
  return bytes.subarray(0, write)
}
