import { COLOUR_TOLERANCE, FOREGROUND_THRESHOLD, type MaskPixelStats } from './probe.js'

/**
 * Computes a mask's {@link MaskPixelStats} from decoded 8-bit pixels in one pass. Masks are mostly exactly 0
 * (and the counter exactly 255), so single-channel masks are scanned four pixels at a time and uniform words are
 * counted without looking at each byte.
 */

/** Decoded pixels: `channels` interleaved 8-bit samples per pixel, row-major. */
export interface MaskPixels {
  data: Uint8Array
  width: number
  height: number
  /** 1 grey, 2 grey + alpha, 3 RGB, 4 RGB + alpha. */
  channels: number
}

/** Statistics of a decoded mask (see {@link MaskPixelStats}). */
export function computeMaskPixelStats(pixels: MaskPixels): MaskPixelStats {
  const { width, height, channels } = pixels
  const count = width * height
  const histogram = new Array<number>(256).fill(0)
  let colourPixels = 0
  let translucentPixels = 0
  const grey = channels === 1 ? pixels.data : new Uint8Array(count)
  if (channels === 1) {
    histogramOfGrey(pixels.data.subarray(0, count), histogram)
  } else {
    const alphaAt = channels === 2 ? 1 : channels === 4 ? 3 : -1
    const data = pixels.data
    for (let index = 0, offset = 0; index < count; index += 1, offset += channels) {
      let value = data[offset] ?? 0
      if (channels >= 3) {
        const r = value
        const g = data[offset + 1] ?? 0
        const b = data[offset + 2] ?? 0
        const spread = Math.max(r, g, b) - Math.min(r, g, b)
        if (spread > COLOUR_TOLERANCE) colourPixels += 1
      }
      if (alphaAt > 0) {
        const alpha = data[offset + alphaAt] ?? 255
        if (alpha < 255) {
          translucentPixels += 1
          value = Math.round((value * alpha) / 255)
        }
      }
      grey[index] = value
      histogram[value] = (histogram[value] ?? 0) + 1
    }
  }
  return {
    pixels: count,
    histogram,
    colourPixels,
    translucentPixels,
    borderForeground: borderForeground(grey, width, height),
  }
}

function histogramOfGrey(grey: Uint8Array, histogram: number[]): void {
  const counts = new Uint32Array(256)
  const aligned = grey.byteOffset % 4 === 0 ? grey.length >>> 2 : 0
  const words = new Uint32Array(grey.buffer, grey.byteOffset, aligned)
  let zeros = 0
  let full = 0
  for (let index = 0; index < words.length; index += 1) {
    const word = words[index] ?? 0
    if (word === 0) zeros += 4
    else if (word === 0xffffffff) full += 4
    else {
      counts[word & 0xff] = (counts[word & 0xff] ?? 0) + 1
      counts[(word >>> 8) & 0xff] = (counts[(word >>> 8) & 0xff] ?? 0) + 1
      counts[(word >>> 16) & 0xff] = (counts[(word >>> 16) & 0xff] ?? 0) + 1
      counts[word >>> 24] = (counts[word >>> 24] ?? 0) + 1
    }
  }
  for (let index = aligned * 4; index < grey.length; index += 1) {
    const value = grey[index] ?? 0
    counts[value] = (counts[value] ?? 0) + 1
  }
  counts[0] = (counts[0] ?? 0) + zeros
  counts[255] = (counts[255] ?? 0) + full
  for (let value = 0; value < 256; value += 1) histogram[value] = counts[value] ?? 0
}

function borderForeground(grey: Uint8Array, width: number, height: number): [number, number, number, number] {
  if (width === 0 || height === 0) return [0, 0, 0, 0]
  const on = (x: number, y: number): number => ((grey[y * width + x] ?? 0) >= FOREGROUND_THRESHOLD ? 1 : 0)
  let top = 0
  let bottom = 0
  for (let x = 0; x < width; x += 1) {
    top += on(x, 0)
    bottom += on(x, height - 1)
  }
  let left = 0
  let right = 0
  for (let y = 0; y < height; y += 1) {
    left += on(0, y)
    right += on(width - 1, y)
  }
  return [top, right, bottom, left]
}
