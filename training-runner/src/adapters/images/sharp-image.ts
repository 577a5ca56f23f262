import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp'
import { PHASH_SIZE } from '@wms/shared/qa/perceptual-hash'
import type { MaskPixels } from '@wms/shared/qa/mask-pixel-stats'
import type { ImageHeader, MetadataFacts, ProbeFailure, ProbeFailureKind } from '@wms/shared/qa/probe'
import { metadataFacts } from './metadata-facts.js'

/**
 * The one place the runner decodes and encodes pictures (sharp/libvips). Every decode has a pixel limit and a
 * time limit; every libvips error becomes a {@link ProbeFailure} with a specific kind.
 *
 * Strictness: decoding fails on libvips *warnings* too (`failOn: 'warning'`), so a truncated JPEG, which most
 * decoders would silently grey out, is reported rather than trained on.
 */

// One libvips thread per image: QA decodes several files side by side, which uses the cores better than
// splitting each small image across threads. libvips' operation cache only costs memory here.
sharp.concurrency(1)
sharp.cache(false)

/** Limits of one decode. */
export interface DecodeLimits {
  /** Refuse images with more pixels than this (decompression bombs). */
  maxPixels: number
  /** Give up decoding after this long. */
  timeoutMs: number
}

/** A decode that failed for a reason QA reports. */
export class ImageDecodeError extends Error {
  readonly failure: ProbeFailure

  constructor(failure: ProbeFailure) {
    super(failure.detail)
    this.name = 'ImageDecodeError'
    this.failure = failure
  }
}

const decoderOptions = (limits: DecodeLimits): SharpOptions => ({
  failOn: 'warning',
  limitInputPixels: limits.maxPixels,
  sequentialRead: true,
})

const withTimeout = (pipeline: Sharp, limits: DecodeLimits): Sharp =>
  pipeline.timeout({ seconds: Math.max(1, Math.ceil(limits.timeoutMs / 1000)) })

/** Maps a libvips/sharp error message to a failure kind. */
export function classifyDecodeError(thrown: unknown): ProbeFailure {
  if (thrown instanceof ImageDecodeError) return thrown.failure
  const detail = (thrown instanceof Error ? thrown.message : String(thrown)).split('\n')[0]?.trim() ?? 'unknown error'
  let kind: ProbeFailureKind = 'corrupt'
  if (/pixel limit/i.test(detail)) kind = 'pixel-limit'
  else if (/timeout/i.test(detail)) kind = 'timeout'
  else if (/unsupported image format/i.test(detail)) kind = 'unsupported-format'
  else if (
    /premature end|truncat|end of (file|stream|data|input)|unexpected end|read error|not enough data/i.test(detail)
  ) {
    kind = 'truncated'
  }
  return { kind, detail }
}

/** Header facts and privacy metadata, without decoding pixels. Throws {@link ImageDecodeError}. */
export async function readImageHeader(bytes: Buffer): Promise<{ header: ImageHeader; metadata: MetadataFacts }> {
  let meta: Metadata
  try {
    // No pixel limit here: the header is how the limit is checked, and reading it decodes nothing.
    meta = await sharp(bytes, { limitInputPixels: false, failOn: 'none' }).metadata()
  } catch (thrown) {
    throw new ImageDecodeError(classifyDecodeError(thrown))
  }
  if (meta.width === 0 || meta.height === 0) {
    throw new ImageDecodeError({ kind: 'corrupt', detail: 'the header declares no pixels' })
  }
  const header: ImageHeader = {
    width: meta.width,
    height: meta.height,
    orientation: meta.orientation ?? 1,
    channels: meta.channels,
    space: meta.space,
    depth: meta.depth,
    hasAlpha: meta.hasAlpha,
    isPalette: meta.isPalette,
    hasProfile: meta.hasProfile,
  }
  return { header, metadata: metadataFacts({ exif: meta.exif, xmp: meta.xmp, iptc: meta.iptc }) }
}

/** Refuses a header over the pixel limit before anything is decoded. */
export function checkPixelLimit(header: ImageHeader, limits: DecodeLimits): void {
  if (header.width * header.height > limits.maxPixels) {
    throw new ImageDecodeError({
      kind: 'pixel-limit',
      detail: `${String(header.width)}×${String(header.height)} exceeds ${String(limits.maxPixels)} pixels`,
      width: header.width,
      height: header.height,
    })
  }
}

/**
 * The EXIF-oriented picture as {@link PHASH_SIZE}² grey pixels for the perceptual hash. JPEGs decode at reduced
 * size (libjpeg DCT scaling, "shrink-on-load"), which still reads every byte, so truncation is caught here too.
 */
export async function decodeHashPixels(bytes: Buffer, limits: DecodeLimits): Promise<Uint8Array> {
  try {
    const pipeline = sharp(bytes, decoderOptions(limits))
      .rotate()
      .resize(PHASH_SIZE, PHASH_SIZE, { fit: 'fill' })
      .greyscale()
      .raw()
    const data = await withTimeout(pipeline, limits).toBuffer()
    return new Uint8Array(data.buffer, data.byteOffset, data.length)
  } catch (thrown) {
    throw new ImageDecodeError(classifyDecodeError(thrown))
  }
}

/**
 * {@link decodeHashPixels} of a JPEG whose APP1 segments were dropped (`dropApp1Segments`), given the EXIF
 * orientation they held: libvips then parses no EXIF (a large share of a reduced decode's cost), and the orientation
 * is applied here to the small square, as sharp applies it after resizing — the same pixels, tested on every
 * orientation and on the real sample.
 */
export async function decodeHashPixelsWithoutExif(
  bytes: Buffer,
  orientation: number,
  limits: DecodeLimits,
): Promise<Uint8Array> {
  try {
    const pipeline = sharp(bytes, decoderOptions(limits))
      .resize(PHASH_SIZE, PHASH_SIZE, { fit: 'fill' })
      .greyscale()
      .raw()
    const data = await withTimeout(pipeline, limits).toBuffer()
    return orientSquare(new Uint8Array(data.buffer, data.byteOffset, data.length), PHASH_SIZE, orientation)
  } catch (thrown) {
    throw new ImageDecodeError(classifyDecodeError(thrown))
  }
}

/**
 * A square of grey pixels as displayed under an EXIF orientation (1 as stored, 2 mirrored, 3 turned 180°, 4 flipped,
 * 5 transposed, 6 turned 90° clockwise, 7 transversed, 8 turned 90° anticlockwise): each shown pixel (x, y) is
 * the stored pixel named below.
 */
export function orientSquare(pixels: Uint8Array, size: number, orientation: number): Uint8Array {
  if (orientation < 2 || orientation > 8) return pixels
  const last = size - 1
  const source: (x: number, y: number) => number = [
    (x: number, y: number) => y * size + (last - x),
    (x: number, y: number) => (last - y) * size + (last - x),
    (x: number, y: number) => (last - y) * size + x,
    (x: number, y: number) => x * size + y,
    (x: number, y: number) => (last - x) * size + y,
    (x: number, y: number) => (last - x) * size + (last - y),
    (x: number, y: number) => x * size + (last - y),
  ][orientation - 2] as (x: number, y: number) => number
  const shown = new Uint8Array(size * size)
  for (let y = 0; y < size; y += 1) for (let x = 0; x < size; x += 1) shown[y * size + x] = pixels[source(x, y)] ?? 0
  return shown
}

/**
 * A mask's pixels at full size, 8 bits per sample: one grey channel when the file is grey (the usual case, and
 * the fastest), otherwise RGB(A) so colour and transparency can be judged. Stored orientation (statistics do not
 * depend on it).
 */
export async function decodeMaskPixels(bytes: Buffer, header: ImageHeader, limits: DecodeLimits): Promise<MaskPixels> {
  try {
    let pipeline = sharp(bytes, decoderOptions(limits))
    if (header.channels <= 2) pipeline = pipeline.toColourspace('b-w')
    const { data, info } = await withTimeout(pipeline.raw({ depth: 'uchar' }), limits).toBuffer({
      resolveWithObject: true,
    })
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      width: info.width,
      height: info.height,
      channels: info.channels,
    }
  } catch (thrown) {
    throw new ImageDecodeError(classifyDecodeError(thrown))
  }
}

/** Output format of a normalised photo. */
export type PhotoFormat = 'jpeg' | 'png'

/** JPEG quality of re-encoded photos: visually lossless, so a fix never costs training signal. */
export const NORMALISED_JPEG_QUALITY = 95

/**
 * A photo with its EXIF orientation baked into the pixels, all metadata stripped (GPS, serials, ICC after
 * conversion), in 8-bit sRGB without alpha.
 */
export async function encodeNormalisedPhoto(bytes: Buffer, format: PhotoFormat, limits: DecodeLimits): Promise<Buffer> {
  try {
    // sharp writes no metadata unless asked (keepMetadata/withMetadata), and converts to sRGB on output.
    const pipeline = sharp(bytes, decoderOptions(limits))
      .rotate()
      .flatten({ background: '#000000' })
      .toColourspace('srgb')
    const encoded =
      format === 'jpeg'
        ? pipeline.jpeg({ quality: NORMALISED_JPEG_QUALITY, mozjpeg: false })
        : pipeline.png({ compressionLevel: 6 })
    return await withTimeout(encoded, limits).toBuffer()
  } catch (thrown) {
    throw new ImageDecodeError(classifyDecodeError(thrown))
  }
}

/**
 * A mask as lossless single-channel 8-bit PNG, oriented, flattened onto black, thresholded at 127 (grey ≥ 127
 * becomes 255, the rest 0), without metadata.
 */
export async function encodeNormalisedMask(bytes: Buffer, limits: DecodeLimits): Promise<Buffer> {
  try {
    const pipeline = sharp(bytes, decoderOptions(limits))
      .rotate()
      .flatten({ background: '#000000' })
      .toColourspace('b-w')
      .threshold(127, { greyscale: true })
      .toColourspace('b-w')
      .png({ compressionLevel: 9, palette: false })
    return await withTimeout(pipeline, limits).toBuffer()
  } catch (thrown) {
    throw new ImageDecodeError(classifyDecodeError(thrown))
  }
}

/** A small JPEG preview of a picture as displayed (EXIF orientation applied), at most `size` px on its long side. */
export async function renderThumbnail(bytes: Buffer, size: number, limits: DecodeLimits): Promise<Buffer> {
  try {
    const pipeline = sharp(bytes, decoderOptions(limits))
      .rotate()
      .resize(size, size, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 80 })
    return await withTimeout(pipeline, limits).toBuffer()
  } catch (thrown) {
    throw new ImageDecodeError(classifyDecodeError(thrown))
  }
}
