import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../../test/helpers/temp-dir.js'
import { realSampleDir } from '../../../test/helpers/real-sample.js'
import { writeHostileCorpus } from '../../qa/fixtures/hostile-corpus.js'
import { encodeMask, encodePhoto, meterPixels } from '../../qa/fixtures/qa-fixtures.js'
import { readJpegHeader } from './jpeg-header.js'
import { readImageHeader } from './sharp-image.js'

/** The JavaScript JPEG header reader must say exactly what libvips says, or leave the file to libvips. */

const temp = useTempDirs()

/** Files it answers, and how many; every answer equal to libvips'. */
async function compareOn(files: readonly Buffer[]): Promise<number> {
  let answered = 0
  for (const bytes of files) {
    const quick = readJpegHeader(bytes)
    if (quick === undefined) continue
    answered += 1
    expect(quick).toEqual(await readImageHeader(bytes))
  }
  return answered
}

async function filesUnder(dir: string): Promise<Buffer[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  const files = entries.filter((entry) => entry.isFile() && /\.jpe?g$/i.test(entry.name))
  return Promise.all(files.map((entry) => readFile(path.join(entry.parentPath, entry.name))))
}

describe('JPEG header without libvips', () => {
  it('matches libvips on phone-like photos and masks: orientations, GPS, identifying EXIF, ICC, grey', async () => {
    const { rgb, mask } = meterPixels(160, 120, 5)
    const photos = await Promise.all(
      [
        {},
        { orientation: 6 as const, gps: true },
        { orientation: 3 as const, identifying: true },
        { orientation: 8 as const, quality: 60 },
      ].map((options) => encodePhoto(rgb, 160, 120, options)),
    )
    const withProfile = await sharp(Buffer.from(rgb), { raw: { width: 160, height: 120, channels: 3 } })
      .withIccProfile('p3')
      .jpeg()
      .toBuffer()
    const progressive = await sharp(photos[0]).jpeg({ progressive: true }).toBuffer()
    const greyMask = await encodeMask(mask, 160, 120, { format: 'jpeg' })
    const files = [...photos, withProfile, progressive, greyMask]
    expect(await compareOn(files)).toBe(files.length)
    expect(readJpegHeader(withProfile)?.header.hasProfile).toBe(true)
  })

  it('leaves CMYK, damaged and hostile files to libvips', async () => {
    const { rgb } = meterPixels(80, 60, 6)
    const cmyk = await encodePhoto(rgb, 80, 60, { cmyk: true })
    expect(readJpegHeader(cmyk)).toBeUndefined()
    expect(readJpegHeader(cmyk.subarray(0, 40))).toBeUndefined()
    expect(readJpegHeader(Buffer.from('not a jpeg at all'))).toBeUndefined()
    const dir = await temp('wms-jpeg-header-')
    await writeHostileCorpus(path.join(dir, 'dataset'), path.join(dir, 'outside'))
    // Whatever the hostile corpus holds: each answer equals libvips'.
    await compareOn(await filesUnder(path.join(dir, 'dataset')))
  })

  const sample = realSampleDir()
  it.skipIf(sample === undefined)(
    `matches libvips on every file of the real sample (${sample ?? 'skipped: no shared/datasets/wms-sample next to this checkout'})`,
    async () => {
      const files = await filesUnder(sample ?? '')
      expect(await compareOn(files)).toBe(files.length)
    },
    120_000,
  )
})
