import { FOREGROUND_THRESHOLD, type MaskPixelStats } from '@wms/shared/qa/probe'
import { idctBlock, JpegBitReader, sampleOf, type HuffmanTable, buildHuffmanTable } from './jpeg-entropy.js'

/**
 * The statistics of a grey JPEG mask read from its entropy-coded blocks, without the libvips decode: a mask is
 * mostly flat, and a flat 8×8 block (no AC coefficient) is 64 pixels of one value that libjpeg's integer IDCT
 * gives exactly, so only the blocks on the mask's edges go through the IDCT (the same integer "islow" IDCT,
 * ported bit for bit). The counts are then exactly what decoding every pixel with libvips and counting gives,
 * at a fraction of the time.
 *
 * Only the plain case is answered: one baseline or extended-sequential Huffman frame, 8-bit, one component, one
 * scan, no restart markers, no ICC/EXIF/XMP or Adobe block, and an entropy-coded segment that decodes cleanly to
 * its end and is followed by the end-of-image marker. Anything else — including everything libjpeg would warn
 * about (which libvips, set to fail on warnings, turns into a decode error) — returns undefined and the caller
 * decodes with libvips, whose answer and errors stay the reference. A test compares both on generated masks of
 * every shape, quality and table kind, on hostile files and on every real sample mask.
 */

const SOI = 0xd8
const EOI = 0xd9
const SOS = 0xda
const DQT = 0xdb
const DHT = 0xc4
const DRI = 0xdd
const COM = 0xfe
const APP0 = 0xe0
const APP1 = 0xe1
const APP2 = 0xe2
const APP14 = 0xee
/** Baseline and extended-sequential Huffman frames: the ones decoded here. */
const SEQUENTIAL_FRAMES = new Set([0xc0, 0xc1])

/** Zig-zag position → natural (row-major) position in an 8×8 block. */
const NATURAL_ORDER = Uint8Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47,
  55, 62, 63,
])

/**
 * The largest dequantised coefficient a real encoder writes for 8-bit samples is about 1,100; larger ones only
 * come from crafted files, where libjpeg's SIMD and C IDCTs may disagree, so those are left to libvips.
 */
const MAX_DEQUANTISED = 2047

interface Frame {
  width: number
  height: number
  componentId: number
  quantTable: number
}

interface Tables {
  quant: (Int32Array | undefined)[]
  dc: (HuffmanTable | undefined)[]
  ac: (HuffmanTable | undefined)[]
}

interface Scan {
  frame: Frame
  quant: Int32Array
  dc: HuffmanTable
  ac: HuffmanTable
  /** Offset of the first entropy-coded byte. */
  start: number
}

const startsWith = (bytes: Uint8Array, at: number, text: string): boolean => {
  if (at + text.length > bytes.length) return false
  for (let index = 0; index < text.length; index += 1) {
    if (bytes[at + index] !== text.charCodeAt(index)) return false
  }
  return true
}

const u16 = (bytes: Uint8Array, at: number): number => ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0)

/** DQT: 8-bit tables only (16-bit ones go to libvips), stored in natural order. */
function readQuantTables(bytes: Uint8Array, at: number, end: number, tables: Tables): boolean {
  while (at < end) {
    const info = bytes[at] ?? 0
    const precision = info >> 4
    const id = info & 15
    if (precision !== 0 || id > 3 || at + 65 > end) return false
    const table = new Int32Array(64)
    for (let index = 0; index < 64; index += 1) table[NATURAL_ORDER[index] ?? 0] = bytes[at + 1 + index] ?? 0
    tables.quant[id] = table
    at += 65
  }
  return at === end
}

/** DHT: each table checked the way libjpeg checks it (at most 256 codes, no all-ones code, DC symbols ≤ 15). */
function readHuffmanTables(bytes: Uint8Array, at: number, end: number, tables: Tables): boolean {
  while (at < end) {
    const info = bytes[at] ?? 0
    const isAc = (info & 0x10) !== 0
    const id = info & 0x0f
    if ((info & 0xe0) !== 0 || id > 3 || at + 17 > end) return false
    const counts = bytes.subarray(at + 1, at + 17)
    let total = 0
    for (const count of counts) total += count
    if (total > 256 || at + 17 + total > end) return false
    const symbols = bytes.subarray(at + 17, at + 17 + total)
    if (!isAc && symbols.some((symbol) => symbol > 15)) return false
    const table = buildHuffmanTable(counts, symbols)
    if (table === undefined) return false
    if (isAc) tables.ac[id] = table
    else tables.dc[id] = table
    at += 17 + total
  }
  return at === end
}

function readFrame(bytes: Uint8Array, at: number, length: number): Frame | undefined {
  // One 8-bit component: precision, height, width, 1, then id, sampling, table.
  if (length !== 11 || bytes[at] !== 8 || bytes[at + 5] !== 1) return undefined
  const height = u16(bytes, at + 1)
  const width = u16(bytes, at + 3)
  if (width === 0 || height === 0) return undefined
  return { width, height, componentId: bytes[at + 6] ?? 0, quantTable: bytes[at + 8] ?? 0 }
}

/** Whether an APPn segment is one libjpeg reads without a warning and libvips without a colour or metadata step. */
function plainApplicationSegment(bytes: Uint8Array, marker: number, at: number, length: number): boolean {
  // A JFIF version other than 1.x is a libjpeg warning.
  if (marker === APP0 && length >= 7 && startsWith(bytes, at, 'JFIF\0')) return bytes[at + 5] === 1
  // EXIF/XMP (libvips parses them), ICC (sharp converts with it), Adobe (colour transform): libvips decides.
  return marker !== APP1 && marker !== APP2 && marker !== APP14
}

/** The frame, tables and start of the one scan, or undefined when the file is not the plain case. */
function readScan(bytes: Uint8Array): Scan | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== SOI) return undefined
  const tables: Tables = { quant: [], dc: [], ac: [] }
  let frame: Frame | undefined
  let at = 2
  for (;;) {
    if (at + 4 > bytes.length || bytes[at] !== 0xff) return undefined
    const marker = bytes[at + 1] ?? 0
    const length = u16(bytes, at + 2)
    const body = at + 4
    const end = at + 2 + length
    if (length < 2 || end > bytes.length) return undefined
    if (marker === SOS) {
      const dc = tables.dc[(bytes[body + 2] ?? 0) >> 4]
      const ac = tables.ac[(bytes[body + 2] ?? 0) & 15]
      const quant = frame === undefined ? undefined : tables.quant[frame.quantTable]
      const sequential = bytes[body + 3] === 0 && bytes[body + 4] === 63 && bytes[body + 5] === 0
      const oneComponent = length === 8 && bytes[body] === 1 && bytes[body + 1] === frame?.componentId
      if (frame === undefined || quant === undefined || dc === undefined || ac === undefined) return undefined
      return sequential && oneComponent ? { frame, quant, dc, ac, start: end } : undefined
    }
    if (SEQUENTIAL_FRAMES.has(marker)) {
      if (frame !== undefined) return undefined
      frame = readFrame(bytes, body, length)
      if (frame === undefined) return undefined
    } else if (marker === DQT) {
      if (!readQuantTables(bytes, body, end, tables)) return undefined
    } else if (marker === DHT) {
      if (!readHuffmanTables(bytes, body, end, tables)) return undefined
    } else if (marker === DRI) {
      // Restart intervals are rare in masks; a zero interval means none.
      if (length !== 4 || u16(bytes, body) !== 0) return undefined
    } else if (marker >= APP0 && marker <= 0xef) {
      if (!plainApplicationSegment(bytes, marker, body, length)) return undefined
    } else if (marker !== COM) {
      // Other frame types (progressive, lossless, arithmetic), DNL, stray markers: libvips decides.
      return undefined
    }
    at = end
  }
}

/** Counts of one decoded image, built block by block. */
class MaskCounter {
  readonly histogram = new Float64Array(256)
  /** top, right, bottom, left */
  readonly border: [number, number, number, number] = [0, 0, 0, 0]
  private readonly pixels = new Uint8Array(64)

  constructor(
    private readonly width: number,
    private readonly height: number,
  ) {}

  /** A block whose 64 pixels have one value. */
  flat(blockX: number, blockY: number, value: number): void {
    const inWidth = Math.min(8, this.width - blockX * 8)
    const inHeight = Math.min(8, this.height - blockY * 8)
    this.histogram[value] = (this.histogram[value] ?? 0) + inWidth * inHeight
    if (value < FOREGROUND_THRESHOLD) return
    if (blockY === 0) this.border[0] += inWidth
    if (blockY * 8 + inHeight === this.height) this.border[2] += inWidth
    if (blockX === 0) this.border[3] += inHeight
    if (blockX * 8 + inWidth === this.width) this.border[1] += inHeight
  }

  /** A block with detail: its 64 pixels, row-major. */
  detailed(blockX: number, blockY: number, pixels: Uint8Array): void {
    const inWidth = Math.min(8, this.width - blockX * 8)
    const inHeight = Math.min(8, this.height - blockY * 8)
    const histogram = this.histogram
    for (let y = 0; y < inHeight; y += 1) {
      for (let x = 0; x < inWidth; x += 1) {
        const value = pixels[y * 8 + x] ?? 0
        histogram[value] = (histogram[value] ?? 0) + 1
      }
    }
    const on = (x: number, y: number): number => ((pixels[y * 8 + x] ?? 0) >= FOREGROUND_THRESHOLD ? 1 : 0)
    for (let x = 0; x < inWidth; x += 1) {
      if (blockY === 0) this.border[0] += on(x, 0)
      if (blockY * 8 + inHeight === this.height) this.border[2] += on(x, inHeight - 1)
    }
    for (let y = 0; y < inHeight; y += 1) {
      if (blockX === 0) this.border[3] += on(0, y)
      if (blockX * 8 + inWidth === this.width) this.border[1] += on(inWidth - 1, y)
    }
  }

  get scratch(): Uint8Array {
    return this.pixels
  }
}

/**
 * Decodes every block of the scan into the counter; false when the data is anything but clean (a code not in
 * its table, a coefficient out of range, data running into a marker or past the end, bytes left over).
 */
function decodeBlocks(bytes: Uint8Array, scan: Scan, counter: MaskCounter): boolean {
  const { frame, quant, dc, ac } = scan
  const blocksWide = Math.ceil(frame.width / 8)
  const blocksHigh = Math.ceil(frame.height / 8)
  const reader = new JpegBitReader(bytes, scan.start)
  const coefficients = new Int32Array(64)
  const quantDc = quant[0] ?? 0
  let predictor = 0
  for (let blockY = 0; blockY < blocksHigh; blockY += 1) {
    for (let blockX = 0; blockX < blocksWide; blockX += 1) {
      const size = reader.decode(dc)
      if (size < 0 || size > 11) return false
      predictor += size === 0 ? 0 : reader.receiveExtend(size)
      const dcValue = predictor * quantDc
      if (dcValue > MAX_DEQUANTISED || dcValue < -MAX_DEQUANTISED) return false
      let detailed = false
      for (let k = 1; k < 64;) {
        const symbol = reader.decode(ac)
        if (symbol < 0) return false
        const run = symbol >> 4
        const bits = symbol & 15
        if (bits === 0) {
          if (run !== 15) break
          k += 16
          continue
        }
        k += run
        if (k > 63) return false
        if (!detailed) {
          coefficients.fill(0)
          detailed = true
        }
        const position = NATURAL_ORDER[k] ?? 0
        const value = reader.receiveExtend(bits) * (quant[position] ?? 0)
        if (value > MAX_DEQUANTISED || value < -MAX_DEQUANTISED) return false
        coefficients[position] = value
        k += 1
      }
      if (reader.overran()) return false
      if (detailed) {
        coefficients[0] = dcValue
        if (!idctBlock(coefficients, counter.scratch)) return false
        counter.detailed(blockX, blockY, counter.scratch)
      } else {
        // The IDCT of a DC-only block: pass 1 scales by 4 (PASS1_BITS), pass 2 descales by 32 with rounding.
        const value = sampleOf((dcValue * 4 + 16) >> 5)
        if (value < 0) return false
        counter.flat(blockX, blockY, value)
      }
    }
  }
  return reader.endsAtEndOfImage(EOI)
}

/**
 * The {@link MaskPixelStats} of a plain grey JPEG, equal to decoding it with libvips and counting, or undefined
 * when the file is not the plain case (the caller then decodes with libvips).
 */
export function jpegMaskStats(bytes: Uint8Array): MaskPixelStats | undefined {
  const scan = readScan(bytes)
  if (scan === undefined) return undefined
  const counter = new MaskCounter(scan.frame.width, scan.frame.height)
  if (!decodeBlocks(bytes, scan, counter)) return undefined
  return {
    pixels: scan.frame.width * scan.frame.height,
    histogram: Array.from(counter.histogram),
    colourPixels: 0,
    translucentPixels: 0,
    borderForeground: counter.border,
  }
}
