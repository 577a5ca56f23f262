import path from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../../test/helpers/temp-dir.js'
import { writeSyntheticDataset } from '../../demo/synthetic-dataset.js'
import { augmentGeometry, drawAugment, sampleSeed } from './augment.js'
import { batches, PairCache, shuffled, type Sample } from './batches.js'
import { decodePair } from './decode.js'
import { contrastStretch, medianBlur3, percentileOfBytes } from './preprocess.js'

const AUGMENT = {
  hflip: 0.5,
  vflip: 0.3,
  rotationDegrees: 10,
  rotationProb: 0.5,
  brightnessProb: 0.3,
  brightnessRange: [0.8, 1.2] as const,
}

describe('preprocessing', () => {
  it('computes percentiles like NumPy (linear interpolation)', () => {
    const values = Uint8Array.from([10, 20, 30, 40, 50])
    expect(percentileOfBytes(values, 50)).toBe(30)
    expect(percentileOfBytes(values, 2)).toBeCloseTo(10.8, 10) // np.percentile([10..50], 2) = 10.8
    expect(percentileOfBytes(values, 98)).toBeCloseTo(49.2, 10)
  })

  it('stretches the 2–98 % range to the full scale', () => {
    const pixels = Uint8Array.from({ length: 1000 }, (_, i) => 100 + (i % 50))
    const out = contrastStretch(pixels)
    expect(Math.min(...out)).toBe(0)
    expect(Math.max(...out)).toBe(255)
  })

  it('median-filters 3×3 with replicated edges', () => {
    const img = Uint8Array.from([0, 0, 0, 0, 255, 0, 0, 0, 0]) // a lone bright pixel disappears
    expect([...medianBlur3(img, 3, 3, 1)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0])
    const block = Uint8Array.from([9, 9, 9, 9, 9, 9, 1, 1, 1])
    expect(medianBlur3(block, 3, 3, 1)[4]).toBe(9)
  })

  it('median-filters exactly like sorting each clamped window', () => {
    const [w, h, ch] = [7, 5, 3]
    const img = Uint8Array.from({ length: w * h * ch }, (_, i) => (i * 7919) % 251)
    const out = medianBlur3(img, w, h, ch)
    const clamp = (v: number, n: number): number => Math.min(n - 1, Math.max(0, v))
    for (let y = 0; y < h; y += 1) {
      for (let x = 0; x < w; x += 1) {
        for (let c = 0; c < ch; c += 1) {
          const window: number[] = []
          for (const dy of [-1, 0, 1]) {
            for (const dx of [-1, 0, 1]) window.push(img[(clamp(y + dy, h) * w + clamp(x + dx, w)) * ch + c] ?? 0)
          }
          window.sort((a, b) => a - b)
          expect(out[(y * w + x) * ch + c]).toBe(window[4])
        }
      }
    }
  })
})

describe('augmentation', () => {
  it('is deterministic per (seed, epoch, sample) and varies across them', () => {
    expect(drawAugment(AUGMENT, sampleSeed(1, 2, 3))).toEqual(drawAugment(AUGMENT, sampleSeed(1, 2, 3)))
    const draws = Array.from({ length: 200 }, (_, i) => drawAugment(AUGMENT, sampleSeed(1, 1, i)))
    const share = (f: (d: (typeof draws)[number]) => boolean): number => draws.filter(f).length / draws.length
    expect(share((d) => d.hflip)).toBeCloseTo(0.5, 1)
    expect(share((d) => d.vflip)).toBeCloseTo(0.3, 1)
    expect(share((d) => d.rotation !== 0)).toBeCloseTo(0.5, 1)
    expect(share((d) => d.brightness !== 1)).toBeCloseTo(0.3, 1)
    for (const d of draws) expect(Math.abs(d.rotation)).toBeLessThanOrEqual(10)
  })

  it('moves image and mask identically', () => {
    const size = 24
    // the mask marks exactly the bright pixels of the image
    const mask = Uint8Array.from({ length: size * size }, (_, i) => (i % size > 4 && i % size < 11 && i < 300 ? 1 : 0))
    const image = Uint8Array.from({ length: size * size * 3 }, (_, i) => ((mask[Math.floor(i / 3)] ?? 0) ? 250 : 5))
    for (const draw of [
      { hflip: true, vflip: false, rotation: 0, brightness: 1 },
      { hflip: false, vflip: true, rotation: 0, brightness: 1 },
      { hflip: true, vflip: true, rotation: 7, brightness: 1 },
    ]) {
      const out = augmentGeometry(image, mask, size, size, 3, draw)
      let agree = 0
      for (let p = 0; p < size * size; p += 1) {
        if (((out.image[p * 3] ?? 0) > 127 ? 1 : 0) === out.mask[p]) agree += 1
      }
      expect(agree / (size * size)).toBeGreaterThan(0.97)
    }
  })

  it('shuffles deterministically', () => {
    const items = Array.from({ length: 20 }, (_, i) => i)
    expect(shuffled(items, 3)).toEqual(shuffled(items, 3))
    expect(shuffled(items, 3)).not.toEqual(items)
    expect([...shuffled(items, 3)].sort((a, b) => a - b)).toEqual(items)
  })
})

describe('decoding and batches', () => {
  const tempDir = useTempDirs()

  it('applies EXIF orientation, resizes and binarises the mask', async () => {
    const dir = await tempDir()
    const [plain, rotated] = await writeSyntheticDataset(dir, { count: 2, exifRotatedEvery: 2, maskFormat: 'jpeg' })
    expect(rotated?.orientation).toBe(6)
    for (const pair of [plain, rotated]) {
      if (pair === undefined) throw new Error('no pair')
      const decoded = await decodePair(path.join(dir, pair.image), path.join(dir, pair.mask), 32)
      expect(decoded.width).toBe(pair.width)
      expect(decoded.height).toBe(pair.height)
      expect(decoded.image.length).toBe(32 * 32 * 3)
      expect(new Set(decoded.mask)).toEqual(new Set([0, 1]))
      // image and mask line up: the counter window (mask) is dark-or-lit digits, the rest is the dial
      const fg = decoded.mask.reduce((a, b) => a + b, 0) / decoded.mask.length
      expect(fg).toBeGreaterThan(0.005)
    }
    // the oriented photo is portrait although its pixels are stored landscape
    const meta = await sharp(path.join(dir, rotated?.image ?? '')).metadata()
    expect(meta.width).toBe(rotated?.height)
  })

  it('assembles prefetched batches and caches decoded pairs', async () => {
    const dir = await tempDir()
    const pairs = await writeSyntheticDataset(dir, { count: 5 })
    const samples: Sample[] = pairs.map((p, i) => ({
      id: p.stem,
      md5: `${String(i)}0000000`,
      image: p.image,
      mask: p.mask,
    }))
    const cache = new PairCache(dir, 32)
    const options = { batchSize: 2, shuffleSeed: 1, epoch: 1, augment: AUGMENT, prefetch: 2 }
    const first = []
    for await (const batch of batches(samples, cache, options)) first.push(batch)
    expect(first.map((b) => b.count)).toEqual([2, 2, 1])
    expect(first[0]?.images.length).toBe(2 * 32 * 32 * 3)
    for (const b of first) for (const v of b.images) expect(v >= 0 && v <= 1).toBe(true)
    const again = []
    for await (const batch of batches(samples, cache, options)) again.push(batch)
    expect(again.map((b) => b.ids)).toEqual(first.map((b) => b.ids))
    expect(again[0]?.images).toEqual(first[0]?.images) // same seed, epoch → same augmentation
    expect(cache.misses).toBe(5)
    expect(cache.hits).toBe(5)
  })
})
