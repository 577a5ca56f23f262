import { FOREGROUND_THRESHOLD, type ProbedFileOk, type ProbedSample, type MaskPixelStats } from '../qa/probe.js'
import { createPrng } from '../util/prng.js'

/**
 * Builders of probed values for rule tests: a healthy pair by default, one field changed per case. The pixel
 * facts are what the runner's probe would measure for such files.
 */

let counter = 0
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0').slice(-width)

/** A random-looking 64-bit perceptual hash (16 hex digits), distinct per call. */
export function fakePhash(seed?: number): string {
  counter += 1
  const prng = createPrng(seed ?? counter * 7919)
  let text = ''
  for (let i = 0; i < 16; i += 1) text += prng.int(0, 15).toString(16)
  return text
}

/** A unique MD5-looking hash. */
export function fakeMd5(seed?: number): string {
  counter += 1
  return hex(seed ?? counter, 8).repeat(4)
}

/** Mask statistics of a `width`×`height` mask with `foreground` pixels at 255, the rest 0, foreground off the border. */
export function binaryMaskStats(width: number, height: number, foreground: number): MaskPixelStats {
  const histogram = new Array<number>(256).fill(0)
  histogram[0] = width * height - foreground
  histogram[255] = foreground
  return { pixels: width * height, histogram, colourPixels: 0, translucentPixels: 0, borderForeground: [0, 0, 0, 0] }
}

/** A healthy JPEG photo probe. */
export function okImage(
  overrides: Omit<Partial<ProbedFileOk>, 'header'> & { header?: Partial<ProbedFileOk['header']> } = {},
): ProbedFileOk {
  const { header, ...rest } = overrides
  return {
    ok: true,
    relpath: 'images/a.jpg',
    bytes: 250_000,
    md5: fakeMd5(),
    extension: '.jpg',
    format: 'jpeg',
    header: {
      width: 1000,
      height: 1333,
      orientation: 1,
      channels: 3,
      space: 'srgb',
      depth: 'uchar',
      hasAlpha: false,
      isPalette: false,
      hasProfile: false,
      ...header,
    },
    metadata: { hasMetadata: false, gpsFields: [], identifyingFields: [] },
    phash: fakePhash(),
    ...rest,
  }
}

/** A healthy single-channel PNG mask probe (2 % foreground). */
export function okMask(
  overrides: Omit<Partial<ProbedFileOk>, 'header'> & {
    header?: Partial<ProbedFileOk['header']>
    stats?: Partial<MaskPixelStats>
  } = {},
): ProbedFileOk {
  const { header, stats, ...rest } = overrides
  const width = header?.width ?? 1000
  const height = header?.height ?? 1333
  return {
    ok: true,
    relpath: 'masks/a.png',
    bytes: 8_000,
    md5: fakeMd5(),
    extension: '.png',
    format: 'png',
    header: {
      width,
      height,
      orientation: 1,
      channels: 1,
      space: 'b-w',
      depth: 'uchar',
      hasAlpha: false,
      isPalette: false,
      hasProfile: false,
      ...header,
    },
    metadata: { hasMetadata: false, gpsFields: [], identifyingFields: [] },
    mask: { ...binaryMaskStats(width, height, Math.round(width * height * 0.02)), ...stats },
    ...rest,
  }
}

/** A healthy pair. */
export function okSample(
  sampleId = 'a',
  overrides: { image?: ProbedSample['image']; mask?: ProbedSample['mask'] } = {},
): ProbedSample {
  return {
    sampleId,
    image: overrides.image ?? okImage({ relpath: `images/${sampleId}.jpg` }),
    mask: overrides.mask ?? okMask({ relpath: `masks/${sampleId}.png` }),
  }
}

/** A histogram with `counts` at the given grey values (the rest of `pixels` at 0). */
export function histogramWith(pixels: number, counts: Record<number, number>): number[] {
  const histogram = new Array<number>(256).fill(0)
  let used = 0
  for (const [value, count] of Object.entries(counts)) {
    histogram[Number(value)] = count
    used += count
  }
  histogram[0] = (histogram[0] ?? 0) + pixels - used
  return histogram
}

export { FOREGROUND_THRESHOLD }
