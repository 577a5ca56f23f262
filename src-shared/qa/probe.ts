/**
 * What probing one file found out: plain values, independent of any QA threshold, so a probe can be cached by the
 * file's content hash and re-judged under another policy without touching the file again.
 *
 * The runner's image adapter fills these in (sharp); the rules in this folder only read them.
 */

/** Formats recognised from a file's first bytes (never from its name). */
export const IMAGE_FORMATS = ['jpeg', 'png', 'gif', 'webp', 'tiff', 'bmp', 'heif', 'avif', 'svg', 'unknown'] as const

/** A format recognised from content. Only `jpeg` and `png` are trained on. */
export type ImageFormat = (typeof IMAGE_FORMATS)[number]

/** Why a file could not be probed; each maps to one `file/*` or `pairing/*` rule. */
export type ProbeFailureKind =
  | 'empty'
  | 'too-large'
  | 'unreadable'
  | 'outside-dataset'
  | 'unsupported-format'
  | 'corrupt'
  | 'truncated'
  | 'pixel-limit'
  | 'timeout'

/** A failed probe: which rule it triggers and the technical detail (decoder message, errno). */
export interface ProbeFailure {
  kind: ProbeFailureKind
  detail: string
  /** Declared dimensions, when the header was readable (pixel-limit). */
  width?: number
  height?: number
}

/** Header facts: what a decoder needs before decoding. Width and height are as stored (before EXIF orientation). */
export interface ImageHeader {
  width: number
  height: number
  /** EXIF orientation 1–8 (1 = as stored; 5–8 swap width and height). */
  orientation: number
  channels: number
  /** libvips interpretation: `srgb`, `b-w`, `cmyk`, `rgb16`, `grey16`, … */
  space: string
  /** Sample format: `uchar` (8-bit), `ushort` (16-bit), … */
  depth: string
  hasAlpha: boolean
  isPalette: boolean
  /** Embedded ICC profile present. */
  hasProfile: boolean
}

/** Privacy-relevant metadata of a file. */
export interface MetadataFacts {
  /** Any EXIF, XMP or IPTC block is present (stripped by the fix). */
  hasMetadata: boolean
  /** GPS fields that give a location (`GPSLatitude`, `GPSLongitude`, …); empty when none. */
  gpsFields: string[]
  /** Identifying tags present (`BodySerialNumber`, `CameraOwnerName`, `Artist`, …). */
  identifyingFields: string[]
}

/**
 * A mask's pixel statistics, from one full decode. Grey values are the first channel, 16-bit scaled to 8,
 * flattened onto black where an alpha channel makes them translucent.
 */
export interface MaskPixelStats {
  /** Pixels in the mask. */
  pixels: number
  /** Count of each grey value 0–255 (256 entries). */
  histogram: number[]
  /** Pixels whose channels differ by more than {@link COLOUR_TOLERANCE} (colour, not grey). */
  colourPixels: number
  /** Pixels with alpha below 255. */
  translucentPixels: number
  /** Foreground (≥ {@link FOREGROUND_THRESHOLD}) pixels on each border: top, right, bottom, left (as stored). */
  borderForeground: [number, number, number, number]
}

/** Grey value at and above which a mask pixel is foreground (the old system's `>= 127`). */
export const FOREGROUND_THRESHOLD = 127

/** Channel spread (max − min) above which a mask pixel counts as coloured rather than grey with JPEG noise. */
export const COLOUR_TOLERANCE = 24

/** Grey values within this distance of 0 or 255 count as JPEG noise around a binary value, not as mid-grey. */
export const BINARY_TOLERANCE = 32

/** A file that probed successfully. */
export interface ProbedFileOk {
  ok: true
  /** Display path (relative to the dataset, or the dropped file's name). */
  relpath: string
  bytes: number
  /** MD5 of the bytes (DVC's content address; the cache key). */
  md5: string
  /** Lower-case extension with the dot. */
  extension: string
  format: ImageFormat
  header: ImageHeader
  metadata: MetadataFacts
  /** 64-bit perceptual hash of the EXIF-oriented picture, 16 hex digits (images only). */
  phash?: string
  /** Pixel statistics (masks only). */
  mask?: MaskPixelStats
}

/** A file that could not be probed. */
export interface ProbedFileFailed {
  ok: false
  relpath: string
  bytes: number
  md5?: string
  extension: string
  format?: ImageFormat
  failure: ProbeFailure
}

/** Everything known about one file of a pair. */
export type ProbedFile = ProbedFileOk | ProbedFileFailed

/** One image/mask pair with both files probed: the input of the per-pair rules. */
export interface ProbedSample {
  /** The pair's id in reports: its stem (`id_42_value_211_427`). */
  sampleId: string
  image: ProbedFile
  mask: ProbedFile
}

/** Width and height as displayed, i.e. after the EXIF orientation is applied. */
export function orientedSize(header: ImageHeader): { width: number; height: number } {
  return header.orientation >= 5 && header.orientation <= 8
    ? { width: header.height, height: header.width }
    : { width: header.width, height: header.height }
}

/** Foreground pixel count of a mask (grey ≥ {@link FOREGROUND_THRESHOLD}). */
export function foregroundPixels(stats: MaskPixelStats): number {
  let count = 0
  for (let value = FOREGROUND_THRESHOLD; value < 256; value += 1) count += stats.histogram[value] ?? 0
  return count
}

/** Share of mask pixels that are foreground (0 for an empty picture). */
export function foregroundFraction(stats: MaskPixelStats): number {
  return stats.pixels === 0 ? 0 : foregroundPixels(stats) / stats.pixels
}
