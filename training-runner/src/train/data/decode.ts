import sharp, { type Sharp } from 'sharp'
import { WmsError } from '@wms/shared/errors'

/**
 * Decoding a pair with sharp (libvips, off the main thread): EXIF orientation applied (phone photos), resized to
 * the model's square input — image bilinear, mask nearest and binarised at ≥ 127, like the old loader. The aspect
 * ratio is not kept (neither did the old system); `predict` maps masks back to each photo's own size.
 */

/** A decoded, resized pair: interleaved RGB bytes and a 0/1 mask, both `size × size`. */
export interface DecodedPair {
  size: number
  image: Uint8Array
  mask: Uint8Array
  /** The photo's size after EXIF orientation. */
  width: number
  height: number
}

/** Largest photo accepted (pixels); larger files are refused, not decoded (decompression bombs). */
export const MAX_INPUT_PIXELS = 80_000_000
const DECODE_TIMEOUT_SECONDS = 60

/** Threshold of the mask binarisation (the old loader's `mask >= 127`). */
export const MASK_THRESHOLD = 127

/** A file path, or the bytes of an upload (the `serve` API). */
export type ImageInput = string | Buffer

function open(file: ImageInput, maxPixels = MAX_INPUT_PIXELS): Sharp {
  return sharp(file, { limitInputPixels: maxPixels, failOn: 'error' })
    .rotate()
    .timeout({ seconds: DECODE_TIMEOUT_SECONDS })
}

function unreadable(file: ImageInput, thrown: unknown): WmsError {
  const name = typeof file === 'string' ? file : 'the uploaded image'
  return new WmsError('images/unreadable', `Cannot decode ${name}: ${(thrown as Error).message}`, {
    hint: 'Check that the file is a complete JPEG or PNG (run QA on the dataset), or remove the pair.',
    cause: thrown,
  })
}

/** Decodes and resizes an image to `size × size` RGB bytes; also returns its oriented size. */
export async function decodeImage(
  file: ImageInput,
  size: number,
  maxPixels = MAX_INPUT_PIXELS,
): Promise<{ rgb: Uint8Array; width: number; height: number }> {
  try {
    const base = open(file, maxPixels)
    const { width, height } = await orientedSize(file, maxPixels)
    const { data, info } = await base
      .resize(size, size, { fit: 'fill', kernel: 'linear' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true })
    return { rgb: toRgb(data, info.channels), width, height }
  } catch (thrown) {
    throw unreadable(file, thrown)
  }
}

/** Decodes a mask, resized with nearest neighbour to `size × size`, as 0/1 bytes. */
export async function decodeMask(file: string, size: number): Promise<Uint8Array> {
  try {
    const { data, info } = await open(file)
      .resize(size, size, { fit: 'fill', kernel: 'nearest' })
      .raw()
      .toBuffer({ resolveWithObject: true })
    const mask = new Uint8Array(size * size)
    for (let i = 0; i < mask.length; i += 1) mask[i] = (data[i * info.channels] as number) >= MASK_THRESHOLD ? 1 : 0
    return mask
  } catch (thrown) {
    throw unreadable(file, thrown)
  }
}

/** Decodes a mask at its own size (EXIF orientation applied), as 0/1 bytes: the truth a user's photo is judged on. */
export async function decodeMaskAtOwnSize(file: string): Promise<{ mask: Uint8Array; width: number; height: number }> {
  try {
    const { data, info } = await open(file).raw().toBuffer({ resolveWithObject: true })
    const mask = new Uint8Array(info.width * info.height)
    for (let i = 0; i < mask.length; i += 1) mask[i] = (data[i * info.channels] as number) >= MASK_THRESHOLD ? 1 : 0
    return { mask, width: info.width, height: info.height }
  } catch (thrown) {
    throw unreadable(file, thrown)
  }
}

/** Width and height after EXIF orientation. */
export async function orientedSize(
  file: ImageInput,
  maxPixels = MAX_INPUT_PIXELS,
): Promise<{ width: number; height: number }> {
  const meta = await sharp(file, { limitInputPixels: maxPixels }).metadata()
  const width = meta.width
  const height = meta.height
  const swapped = (meta.orientation ?? 1) >= 5
  return swapped ? { width: height, height: width } : { width, height }
}

/** Decodes both files of a pair. */
export async function decodePair(imageFile: string, maskFile: string, size: number): Promise<DecodedPair> {
  const [image, mask] = await Promise.all([decodeImage(imageFile, size), decodeMask(maskFile, size)])
  return { size, image: image.rgb, mask, width: image.width, height: image.height }
}

function toRgb(data: Buffer, channels: number): Uint8Array {
  if (channels === 3) return new Uint8Array(data.buffer, data.byteOffset, data.length)
  const pixels = data.length / channels
  const rgb = new Uint8Array(pixels * 3)
  for (let i = 0; i < pixels; i += 1) {
    for (let c = 0; c < 3; c += 1) rgb[i * 3 + c] = data[i * channels + Math.min(c, channels - 1)] as number
  }
  return rgb
}
