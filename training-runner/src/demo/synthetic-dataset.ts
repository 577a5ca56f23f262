import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { createPrng } from '@wms/shared/util/prng'
import { renderSyntheticPair } from './synthetic-pair.js'

/**
 * Writes a deterministic synthetic dataset (`images/*.jpg` + `masks/*.png`) that looks like the real one:
 * same naming (`id_<n>_value_<int>_<dec>`), a few sizes in both orientations, optionally EXIF-rotated photos and
 * GPS metadata. Tests, benchmarks and the demo workspace all use it, so they run anywhere without real data.
 */

/** Image sizes (width, height) the generator cycles through. */
export const DEFAULT_SYNTHETIC_SIZES: readonly (readonly [number, number])[] = [
  [400, 300],
  [300, 400],
  [480, 360],
  [360, 480],
  [320, 320],
]

/** Options of {@link writeSyntheticDataset}. */
export interface SyntheticDatasetOptions {
  count: number
  /** Seed of everything random; the same seed writes byte-identical files. */
  seed?: number
  /** Id of the first pair (`id_<startId>_…`). */
  startId?: number
  sizes?: readonly (readonly [number, number])[]
  /** `jpeg` writes lossy masks like the real data; `png` writes clean binary masks. */
  maskFormat?: 'png' | 'jpeg'
  /** Store every n-th photo rotated with EXIF orientation 6, as phones do (0 = never). */
  exifRotatedEvery?: number
  /** Add GPS EXIF to every n-th photo (0 = never). */
  gpsEvery?: number
}

/** One written pair. */
export interface SyntheticPairFile {
  stem: string
  /** Path relative to the dataset directory. */
  image: string
  mask: string
  /** Size after EXIF orientation (equals the mask's). */
  width: number
  height: number
  orientation: 1 | 6
  hasGps: boolean
  foreground: number
}

/** The stem a pair with this id and these digits gets, like the real data (`id_42_value_211_427`). */
export function syntheticStem(id: number, digits: string): string {
  const integer = String(Number(digits.slice(0, -3)))
  return `id_${String(id)}_value_${integer}_${digits.slice(-3)}`
}

/** Writes `count` pairs under `dir/images` and `dir/masks`, returning what it wrote. */
export async function writeSyntheticDataset(
  dir: string,
  options: SyntheticDatasetOptions,
): Promise<SyntheticPairFile[]> {
  const sizes = options.sizes ?? DEFAULT_SYNTHETIC_SIZES
  const maskFormat = options.maskFormat ?? 'png'
  const startId = options.startId ?? 1
  const prng = createPrng(options.seed ?? 1)
  await mkdir(path.join(dir, 'images'), { recursive: true })
  await mkdir(path.join(dir, 'masks'), { recursive: true })

  const written: SyntheticPairFile[] = []
  for (let n = 0; n < options.count; n += 1) {
    const id = startId + n
    const [width, height] = sizes[n % sizes.length] ?? [400, 300]
    let digits = ''
    for (let d = 0; d < 8; d += 1) digits += String(prng.int(0, 9))
    const pair = renderSyntheticPair({ width, height, digits }, prng)
    const stem = syntheticStem(id, digits)
    const rotated =
      options.exifRotatedEvery !== undefined &&
      options.exifRotatedEvery > 0 &&
      n % options.exifRotatedEvery === options.exifRotatedEvery - 1
    const hasGps = options.gpsEvery !== undefined && options.gpsEvery > 0 && n % options.gpsEvery === 0

    let image = sharp(Buffer.from(pair.rgb), { raw: { width, height, channels: 3 } })
    if (rotated) {
      // Store the pixels turned 90° counter-clockwise and tag orientation 6, as a phone held upright does.
      image = sharp(await image.rotate(270).raw().toBuffer(), { raw: { width: height, height: width, channels: 3 } })
    }
    image = image.jpeg({ quality: 90, mozjpeg: false })
    if (rotated || hasGps) {
      image = image.withMetadata(rotated ? { orientation: 6 } : {})
      if (hasGps) {
        image = image.withExifMerge({
          IFD3: {
            GPSLatitudeRef: 'N',
            GPSLatitude: `52/1 ${String(prng.int(0, 59))}/1 0/1`,
            GPSLongitudeRef: 'E',
            GPSLongitude: `21/1 ${String(prng.int(0, 59))}/1 0/1`,
          },
        })
      }
    }
    const imagePath = `images/${stem}.jpg`
    await image.toFile(path.join(dir, imagePath))

    const maskExt = maskFormat === 'png' ? 'png' : 'jpg'
    const maskPath = `masks/${stem}.${maskExt}`
    // Without an explicit b-w colourspace sharp would write a 3-channel sRGB file.
    const maskImage = sharp(Buffer.from(pair.mask), { raw: { width, height, channels: 1 } }).toColourspace('b-w')
    await (maskFormat === 'png' ? maskImage.png({ compressionLevel: 6 }) : maskImage.jpeg({ quality: 85 })).toFile(
      path.join(dir, maskPath),
    )

    written.push({
      stem,
      image: imagePath,
      mask: maskPath,
      width,
      height,
      orientation: rotated ? 6 : 1,
      hasGps,
      foreground: pair.foreground,
    })
  }
  return written
}
