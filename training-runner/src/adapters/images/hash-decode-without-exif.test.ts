import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { realSampleDir } from '../../../test/helpers/real-sample.js'
import { encodePhoto, meterPixels } from '../../qa/fixtures/qa-fixtures.js'
import { dropApp1Segments, readJpegHeader } from './jpeg-header.js'
import { decodeHashPixels, decodeHashPixelsWithoutExif, orientSquare } from './sharp-image.js'

/**
 * The perceptual hash's pixels of a plain JPEG come from a decode without its APP1 segments, the EXIF orientation
 * applied afterwards in JavaScript. They must be the pixels sharp gives with the EXIF in place, byte for byte.
 */

const limits = { maxPixels: 40_000_000, timeoutMs: 10_000 }

async function bothWays(bytes: Buffer): Promise<[Uint8Array, Uint8Array]> {
  const reference = await decodeHashPixels(bytes, limits)
  const header = readJpegHeader(bytes)?.header
  const stripped = dropApp1Segments(Buffer.from(bytes))
  if (header === undefined || stripped === undefined) throw new Error('not a plain JPEG')
  return [reference, await decodeHashPixelsWithoutExif(stripped, header.orientation, limits)]
}

describe('hash pixels without libvips parsing EXIF', () => {
  it('drops APP1 segments only, and only those', async () => {
    const { rgb } = meterPixels(64, 48, 3)
    const photo = await encodePhoto(rgb, 64, 48, { orientation: 6, gps: true, identifying: true })
    const stripped = dropApp1Segments(Buffer.from(photo))
    expect(stripped).toBeDefined()
    expect(readJpegHeader(photo)?.metadata.hasMetadata).toBe(true)
    // No EXIF left: libvips reports neither orientation nor metadata; the pixels are untouched.
    const meta = await sharp(stripped).metadata()
    expect(meta.exif).toBeUndefined()
    expect(meta.orientation).toBeUndefined()
    expect(await sharp(stripped).raw().toBuffer()).toEqual(await sharp(photo).raw().toBuffer())
    expect(dropApp1Segments(Buffer.from('not a jpeg'))).toBeUndefined()
  })

  it('gives the same pixels as sharp under each of the 8 EXIF orientations, on landscape and portrait photos', async () => {
    for (const [width, height] of [
      [160, 120],
      [90, 200],
    ] as const) {
      const { rgb } = meterPixels(width, height, 11)
      const withGps = await encodePhoto(rgb, width, height, { gps: true })
      for (const orientation of [1, 2, 3, 4, 5, 6, 7, 8]) {
        // The stored pixels stay as they are; only the tag changes (mirrored orientations included).
        const photo = await sharp(withGps).keepExif().withMetadata({ orientation }).jpeg().toBuffer()
        expect(readJpegHeader(photo)?.header.orientation).toBe(orientation)
        const [reference, fast] = await bothWays(photo)
        expect(fast, `orientation ${String(orientation)}, ${String(width)}×${String(height)}`).toEqual(reference)
      }
    }
  })

  it('turns a square like EXIF says', () => {
    // 2×2: a b / c d
    const square = Uint8Array.from([1, 2, 3, 4])
    const shown = (orientation: number): number[] => [...orientSquare(square, 2, orientation)]
    expect(shown(1)).toEqual([1, 2, 3, 4])
    expect(shown(2)).toEqual([2, 1, 4, 3])
    expect(shown(3)).toEqual([4, 3, 2, 1])
    expect(shown(4)).toEqual([3, 4, 1, 2])
    expect(shown(5)).toEqual([1, 3, 2, 4])
    expect(shown(6)).toEqual([3, 1, 4, 2])
    expect(shown(7)).toEqual([4, 2, 3, 1])
    expect(shown(8)).toEqual([2, 4, 1, 3])
  })

  const sample = realSampleDir()
  it.skipIf(sample === undefined)(
    `gives the same pixels on every photo of the real sample (${sample ?? 'skipped: no shared/datasets/wms-sample next to this checkout'})`,
    async () => {
      const dir = path.join(sample ?? '', 'images')
      for (const name of await readdir(dir)) {
        const [reference, fast] = await bothWays(await readFile(path.join(dir, name)))
        expect(fast, name).toEqual(reference)
      }
    },
    120_000,
  )
})
