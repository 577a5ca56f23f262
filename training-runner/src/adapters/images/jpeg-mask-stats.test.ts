import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import sharp, { type JpegOptions } from 'sharp'
import { describe, expect, it } from 'vitest'
import { computeMaskPixelStats } from '@wms/shared/qa/mask-pixel-stats'
import type { MaskPixelStats } from '@wms/shared/qa/probe'
import { createPrng } from '@wms/shared/util/prng'
import { realSampleDir } from '../../../test/helpers/real-sample.js'
import { meterPixels } from '../../qa/fixtures/qa-fixtures.js'
import { jpegMaskStats } from './jpeg-mask-stats.js'
import { decodeMaskPixels, readImageHeader } from './sharp-image.js'

/**
 * Counting a grey JPEG mask from its blocks must give exactly what decoding it with libvips and counting gives,
 * or leave the file to libvips: on generated masks of every shape and quality, on damaged ones, and on every real
 * sample mask.
 */

const LIMITS = { maxPixels: 100_000_000, timeoutMs: 20_000 }

/** The reference: libvips' full decode (as QA does it), counted; undefined when libvips refuses the file. */
async function decodedStats(bytes: Buffer): Promise<MaskPixelStats | undefined> {
  try {
    const { header } = await readImageHeader(bytes)
    return computeMaskPixelStats(await decodeMaskPixels(bytes, header, LIMITS))
  } catch {
    return undefined
  }
}

/** How many files were answered; every answer equals libvips', and a file libvips refuses is never answered. */
async function compareOn(files: readonly Buffer[]): Promise<number> {
  let answered = 0
  for (const [index, bytes] of files.entries()) {
    const counted = jpegMaskStats(bytes)
    if (counted === undefined) continue
    answered += 1
    expect(counted, `file ${String(index)}`).toEqual(await decodedStats(bytes))
  }
  return answered
}

type Draw = (x: number, y: number, random: () => number) => number

const DRAWINGS: Record<string, Draw> = {
  black: () => 0,
  white: () => 255,
  'mid grey': () => 128,
  rectangle: (x, y) => (x > 5 && x < 40 && y > 3 && y < 30 ? 255 : 0),
  diagonal: (x, y) => (x > y ? 255 : 0),
  gradient: (x, y) => (x * 3 + y * 5) % 256,
  noise: (_x, _y, random) => Math.floor(random() * 256),
  'speckled binary': (_x, _y, random) => (random() < 0.1 ? 255 : 0),
}

async function greyJpeg(width: number, height: number, draw: Draw, options: JpegOptions, seed = 1): Promise<Buffer> {
  const prng = createPrng(seed)
  const random = (): number => prng.int(0, 1_000_000) / 1_000_001
  const pixels = Buffer.alloc(width * height)
  for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) pixels[y * width + x] = draw(x, y, random)
  return sharp(pixels, { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .jpeg(options)
    .toBuffer()
}

describe('JPEG mask statistics from the blocks', () => {
  it('equal libvips on generated grey masks of every size, drawing, quality and table kind', async () => {
    const sizes: [number, number][] = [
      [1, 1],
      [7, 9],
      [8, 8],
      [17, 3],
      [64, 48],
      [333, 250],
    ]
    const files: Buffer[] = []
    for (const [width, height] of sizes) {
      for (const draw of Object.values(DRAWINGS)) {
        for (const quality of [20, 75, 95, 100]) {
          files.push(await greyJpeg(width, height, draw, { quality }, width + quality))
        }
        files.push(await greyJpeg(width, height, draw, { quality: 90, optimiseCoding: true }))
        files.push(await greyJpeg(width, height, draw, { quality: 90, optimiseCoding: false }))
      }
    }
    const { mask } = meterPixels(1000, 1333, 7)
    const phoneSized = sharp(Buffer.from(mask), { raw: { width: 1000, height: 1333, channels: 1 } })
    files.push(await phoneSized.toColourspace('b-w').jpeg({ quality: 95 }).toBuffer())
    expect(await compareOn(files)).toBe(files.length)
  }, 60_000)

  it('leaves progressive, colour, ICC and EXIF masks to libvips', async () => {
    const grey = await greyJpeg(40, 30, DRAWINGS.diagonal ?? (() => 0), { quality: 90 })
    const others = [
      await sharp(grey).jpeg({ progressive: true }).toBuffer(),
      await sharp(grey).toColourspace('srgb').jpeg().toBuffer(),
      await sharp(grey).withIccProfile('srgb').jpeg().toBuffer(),
      await sharp(grey)
        .withExif({ IFD0: { Copyright: 'x' } })
        .jpeg()
        .toBuffer(),
    ]
    for (const bytes of others) expect(jpegMaskStats(bytes)).toBeUndefined()
    expect(jpegMaskStats(grey)).toBeDefined()
  })

  it('never answers for a damaged mask libvips refuses, and agrees where libvips accepts the damage', async () => {
    const { mask } = meterPixels(120, 90, 3)
    const good = await sharp(Buffer.from(mask), { raw: { width: 120, height: 90, channels: 1 } })
      .jpeg({ quality: 90 })
      .toBuffer()
    const damaged: Buffer[] = []
    // Cut at every 7th byte, and every byte near the end (the last blocks, the end-of-image marker).
    for (let length = 0; length < good.length; length += length > good.length - 40 ? 1 : 7) {
      damaged.push(good.subarray(0, length))
    }
    // Bytes changed in the entropy-coded data and in the headers; extra bytes before the end-of-image marker.
    const prng = createPrng(11)
    for (let index = 0; index < 300; index += 1) {
      const copy = Buffer.from(good)
      const at = prng.int(2, copy.length - 3)
      copy[at] = prng.int(0, 255)
      damaged.push(copy)
    }
    damaged.push(Buffer.concat([good.subarray(0, -2), Buffer.from([0x12, 0x34, 0xff, 0xd9])]))
    damaged.push(Buffer.concat([good, Buffer.from('trailing bytes after the end of the image')]))
    await compareOn(damaged)
    // A cut file is never answered (libvips reports it truncated).
    for (const bytes of damaged.slice(0, 20)) expect(jpegMaskStats(bytes)).toBeUndefined()
  }, 60_000)

  const sample = realSampleDir()
  it.skipIf(sample === undefined)(
    `equal libvips on every real sample mask (${sample ?? 'skipped: no shared/datasets/wms-sample next to this checkout'})`,
    async () => {
      const dir = path.join(sample ?? '', 'masks')
      const files = await Promise.all((await readdir(dir)).map((name) => readFile(path.join(dir, name))))
      expect(await compareOn(files)).toBe(files.length)
    },
    60_000,
  )
})
