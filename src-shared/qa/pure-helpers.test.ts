import { describe, expect, it } from 'vitest'
import { computeMaskPixelStats } from './mask-pixel-stats.js'
import { hammingDistance, perceptualHash, PHASH_SIZE } from './perceptual-hash.js'
import { foregroundPixels } from './probe.js'
import { logScaleOutliers, median, quantile, robustScale, robustZ } from './robust-stats.js'
import { sniffFormat } from './sniff-format.js'

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values)
const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0))

describe('sniffFormat', () => {
  it.each([
    ['jpeg', bytes(0xff, 0xd8, 0xff, 0xe0)],
    ['png', bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)],
    ['gif', ascii('GIF89a....')],
    ['webp', ascii('RIFF\0\0\0\0WEBPVP8 ')],
    ['tiff', bytes(0x49, 0x49, 0x2a, 0x00)],
    ['bmp', ascii('BM......')],
    ['heif', ascii('\0\0\0\x18ftypheic')],
    ['avif', ascii('\0\0\0\x18ftypavif')],
    ['svg', ascii('  <?xml version="1.0"?><svg')],
    ['unknown', ascii('hello world')],
    ['unknown', bytes()],
  ])('recognises %s', (format, head) => {
    expect(sniffFormat(head)).toBe(format)
  })
})

describe('robust statistics', () => {
  it('interpolates quantiles and medians', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([1, 2, 3, 4])).toBe(2.5)
    expect(quantile([0, 10], 0.1)).toBeCloseTo(1)
    expect(median([])).toBeUndefined()
  })
  it('floors the MAD so identical values do not make every difference an outlier', () => {
    const scale = robustScale([1, 1, 1, 1], 0.1)
    expect(scale).toEqual({ median: 1, mad: 0.1 })
    expect(robustZ(1.5, scale ?? { median: 0, mad: 1 })).toBeCloseTo(0.6745 * 5)
  })
  it('judges ratios on a log scale: ten times the median is as far out as a tenth of it', () => {
    const reference = [0.01, 0.02, 0.02, 0.02, 0.03, 0.2, 0.002]
    const options = { madFloor: 0.25, limit: 3.5, minSamples: 5 }
    const outliers = logScaleOutliers(reference, (value) => value, reference, options)
    expect(outliers.map((o) => o.item)).toEqual([0.2, 0.002])
    expect(outliers[0]?.usual).toBeCloseTo(0.02)
    expect(outliers[0]?.z).toBeCloseTo(-(outliers[1]?.z ?? 0))
    expect(logScaleOutliers([0.2], (value) => value, reference.slice(0, 4), options)).toEqual([])
  })
})

function picture(draw: (x: number, y: number) => number): Uint8Array {
  const grey = new Uint8Array(PHASH_SIZE * PHASH_SIZE)
  for (let y = 0; y < PHASH_SIZE; y += 1) for (let x = 0; x < PHASH_SIZE; x += 1) grey[y * PHASH_SIZE + x] = draw(x, y)
  return grey
}

describe('perceptualHash', () => {
  const base = picture((x, y) => (Math.hypot(x - 12, y - 16) < 8 ? 220 : 40 + x * 3))
  it('is 16 hex digits and stable', () => {
    expect(perceptualHash(base)).toMatch(/^[0-9a-f]{16}$/)
    expect(perceptualHash(base)).toBe(perceptualHash(Uint8Array.from(base)))
  })
  it('moves a few bits under brightness change and noise, many for a different picture', () => {
    const brighter = base.map((v, i) => Math.min(255, v + 12 + (i % 3)))
    const other = picture((x, y) => ((x * 7 + y * 13) % 32 < 16 ? 200 : 30))
    expect(hammingDistance(perceptualHash(base), perceptualHash(brighter))).toBeLessThanOrEqual(4)
    expect(hammingDistance(perceptualHash(base), perceptualHash(other))).toBeGreaterThan(16)
  })
  it('refuses pictures of the wrong size', () => {
    expect(() => perceptualHash(new Uint8Array(10))).toThrow(RangeError)
  })
  it('counts differing bits', () => {
    expect(hammingDistance('0000000000000000', 'ffffffffffffffff')).toBe(64)
    expect(hammingDistance('0000000000000001', '0000000000000003')).toBe(1)
  })
})

describe('computeMaskPixelStats', () => {
  it('counts a grey mask four pixels at a time, with odd lengths and borders', () => {
    const width = 7
    const height = 5
    const data = new Uint8Array(width * height)
    for (let x = 0; x < width; x += 1) data[x] = 255 // top row foreground
    data[width * 2 + 3] = 130
    data[width * 3 + 3] = 20
    const stats = computeMaskPixelStats({ data, width, height, channels: 1 })
    expect(stats.histogram[255]).toBe(7)
    expect(stats.histogram[130]).toBe(1)
    expect(stats.histogram[20]).toBe(1)
    expect(stats.histogram[0]).toBe(26)
    expect(foregroundPixels(stats)).toBe(8)
    expect(stats.borderForeground).toEqual([7, 1, 0, 1])
  })
  it('flags colour and flattens translucent pixels onto black', () => {
    const rgba = Uint8Array.from([255, 0, 0, 255, 200, 200, 200, 255, 255, 255, 255, 0, 255, 255, 255, 128])
    const stats = computeMaskPixelStats({ data: rgba, width: 4, height: 1, channels: 4 })
    expect(stats.colourPixels).toBe(1)
    expect(stats.translucentPixels).toBe(2)
    expect(stats.histogram[0]).toBe(1)
    expect(stats.histogram[128]).toBe(1)
    expect(stats.histogram[200]).toBe(1)
    expect(stats.histogram[255]).toBe(1)
  })
})
