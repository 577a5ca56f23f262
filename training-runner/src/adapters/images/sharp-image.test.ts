import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { encodeMask, pngDeclaring } from '../../qa/fixtures/qa-fixtures.js'
import {
  checkPixelLimit,
  classifyDecodeError,
  decodeMaskPixels,
  encodeNormalisedMask,
  readImageHeader,
  renderThumbnail,
} from './sharp-image.js'

const limits = { maxPixels: 40_000_000, timeoutMs: 10_000 }
const grey = Uint8Array.from({ length: 64 * 48 }, (_, i) => (i % 64 > 20 && i % 64 < 40 ? 255 : 0))

describe('sharp image adapter', () => {
  it('classifies decoder errors into specific failures', () => {
    expect(classifyDecodeError(new Error('VipsJpeg: premature end of JPEG image')).kind).toBe('truncated')
    expect(classifyDecodeError(new Error('vipspng: libpng read error')).kind).toBe('truncated')
    expect(classifyDecodeError(new Error('Input image exceeds pixel limit')).kind).toBe('pixel-limit')
    expect(classifyDecodeError(new Error('Input buffer contains unsupported image format')).kind).toBe(
      'unsupported-format',
    )
    expect(classifyDecodeError(new Error('timeout: 10% complete')).kind).toBe('timeout')
    expect(classifyDecodeError('weird').kind).toBe('corrupt')
  })

  it('reads declared dimensions without decoding and refuses them over the limit', async () => {
    const { header } = await readImageHeader(await pngDeclaring(100_000, 100_000))
    expect(header).toMatchObject({ width: 100_000, height: 100_000 })
    expect(() => {
      checkPixelLimit(header, limits)
    }).toThrow(/exceeds/)
  })

  it('decodes 16-bit and palette masks to 8-bit pixels', async () => {
    const deep = await encodeMask(grey, 64, 48, { sixteenBit: true })
    const { header } = await readImageHeader(deep)
    expect(header.depth).toBe('ushort')
    const pixels = await decodeMaskPixels(deep, header, limits)
    expect(pixels.channels).toBe(1)
    expect(new Set(pixels.data)).toEqual(new Set([0, 255]))

    const palette = await encodeMask(grey, 64, 48, { palette: true })
    const paletteHeader = (await readImageHeader(palette)).header
    const decoded = await decodeMaskPixels(palette, paletteHeader, limits)
    expect(decoded.data.length).toBe(64 * 48 * decoded.channels)
  })

  it('writes normalised masks as 1-channel binary PNG and thumbnails as small JPEGs', async () => {
    const jpegMask = await encodeMask(grey, 64, 48, { format: 'jpeg' })
    const png = await encodeNormalisedMask(jpegMask, limits)
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true })
    expect((await sharp(png).metadata()).channels).toBe(1)
    expect(info.width).toBe(64)
    expect([...new Set(data)].sort((a, b) => a - b)).toEqual([0, 255])
    const thumbnail = await renderThumbnail(jpegMask, 32, limits)
    expect(await sharp(thumbnail).metadata()).toMatchObject({ format: 'jpeg', width: 32, height: 24 })
  })
})
