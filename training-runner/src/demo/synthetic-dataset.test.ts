import { readFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { syntheticStem, writeSyntheticDataset } from './synthetic-dataset.js'

describe('writeSyntheticDataset', () => {
  const tempDir = useTempDirs()

  it('writes byte-identical files for the same seed', async () => {
    const [a, b] = [await tempDir(), await tempDir()]
    const first = await writeSyntheticDataset(a, { count: 3, seed: 5 })
    await writeSyntheticDataset(b, { count: 3, seed: 5 })
    for (const pair of first) {
      expect(await readFile(path.join(a, pair.image))).toEqual(await readFile(path.join(b, pair.image)))
      expect(await readFile(path.join(a, pair.mask))).toEqual(await readFile(path.join(b, pair.mask)))
    }
  })

  it('writes binary single-channel masks that match the image after EXIF orientation', async () => {
    const dir = await tempDir()
    const pairs = await writeSyntheticDataset(dir, { count: 4, exifRotatedEvery: 2, gpsEvery: 4 })
    for (const pair of pairs) {
      const image = await sharp(path.join(dir, pair.image)).metadata()
      expect((await sharp(path.join(dir, pair.mask)).metadata()).channels).toBe(1)
      // sharp converts to sRGB on output unless told otherwise.
      const mask = await sharp(path.join(dir, pair.mask))
        .toColourspace('b-w')
        .raw()
        .toBuffer({ resolveWithObject: true })
      expect(image.autoOrient).toEqual({ width: mask.info.width, height: mask.info.height })
      expect(new Set(mask.data)).toEqual(new Set([0, 255]))
      expect(image.orientation ?? 1).toBe(pair.orientation)
      expect(pair.foreground).toBeGreaterThan(0.01)
      expect(pair.foreground).toBeLessThan(0.1)
      if (pair.orientation === 6) expect([image.width, image.height]).toEqual([pair.height, pair.width])
    }
    expect(pairs.map((pair) => pair.hasGps)).toEqual([true, false, false, false])
  })

  it('names pairs like the real data', () => {
    expect(syntheticStem(42, '00211427')).toBe('id_42_value_211_427')
  })
})
