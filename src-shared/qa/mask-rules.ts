import type { QaPolicy } from '../config/qa-policy.js'
import { formatPercent, formatSize } from './format-values.js'
import { makeIssue, type QaIssue } from './issue.js'
import {
  BINARY_TOLERANCE,
  foregroundPixels,
  orientedSize,
  type MaskPixelStats,
  type ProbedFileOk,
  type ProbedSample,
} from './probe.js'

/**
 * Geometry rules (image vs mask size after EXIF orientation, minimum size) and mask rules (channels, alpha, bit
 * depth, binarity with JPEG tolerance, empty, near-empty, inverted). Pure functions of probed values.
 */

/** Share of coloured pixels from which a mask counts as a colour mask. */
const COLOUR_SHARE = 1e-4
/** Share of each border that must be foreground for a mask to look inverted. */
const INVERTED_BORDER_SHARE = 0.9
/** Foreground share above which a mask looks inverted whatever its borders. */
const INVERTED_FOREGROUND_SHARE = 0.5

/** `geometry/*`: sizes after EXIF orientation, and the minimum side. */
export function geometryIssues(sample: ProbedSample, policy: QaPolicy): QaIssue[] {
  const { image, mask, sampleId } = sample
  if (!image.ok) return []
  const issues: QaIssue[] = []
  const shown = orientedSize(image.header)
  const stored = { width: image.header.width, height: image.header.height }
  const orientation = image.header.orientation
  const shortest = Math.min(shown.width, shown.height)
  if (shortest < policy.minSide) {
    issues.push(
      makeIssue(
        'geometry/too-small',
        sampleId,
        `${image.relpath} is ${formatSize(shown.width, shown.height)}, its short side below the minimum of ${String(policy.minSide)} px`,
        { file: image.relpath, ...shown, minSide: policy.minSide },
      ),
    )
  }
  if (!mask.ok) return issues
  const maskShown = orientedSize(mask.header)
  const details = {
    image: image.relpath,
    mask: mask.relpath,
    imageStored: stored,
    imageOriented: shown,
    orientation,
    maskSize: maskShown,
  }
  const sameShown = shown.width === maskShown.width && shown.height === maskShown.height
  if (!sameShown) {
    const matchesStored = stored.width === maskShown.width && stored.height === maskShown.height
    const what = matchesStored
      ? `${mask.relpath} is ${formatSize(maskShown.width, maskShown.height)}: it matches the stored pixels of ${image.relpath}, but the photo is displayed rotated (EXIF orientation ${String(orientation)}) as ${formatSize(shown.width, shown.height)}`
      : `${image.relpath} is ${formatSize(shown.width, shown.height)} but ${mask.relpath} is ${formatSize(maskShown.width, maskShown.height)}`
    issues.push(makeIssue('geometry/size-mismatch', sampleId, what, { ...details, matchesStoredPixels: matchesStored }))
    return issues
  }
  if (orientation !== 1) {
    const quarterTurn = orientation >= 5
    if (quarterTurn && stored.width !== stored.height) {
      issues.push(
        makeIssue(
          'geometry/rotated-match',
          sampleId,
          `${image.relpath} is stored as ${formatSize(stored.width, stored.height)} with EXIF orientation ${String(orientation)}; it matches ${mask.relpath} (${formatSize(maskShown.width, maskShown.height)}) only after rotation`,
          details,
        ),
      )
    } else {
      issues.push(
        makeIssue(
          'geometry/orientation-ambiguous',
          sampleId,
          `${image.relpath} has EXIF orientation ${String(orientation)} (${describeOrientation(orientation)}), which does not change its size`,
          details,
        ),
      )
    }
  }
  return issues
}

function describeOrientation(orientation: number): string {
  const names: Record<number, string> = {
    2: 'mirrored',
    3: 'rotated 180°',
    4: 'flipped',
    5: 'mirrored and rotated',
    6: 'rotated 90°',
    7: 'mirrored and rotated',
    8: 'rotated 270°',
  }
  return names[orientation] ?? 'unknown'
}

function sum(histogram: readonly number[], from: number, to: number): number {
  let total = 0
  for (let value = from; value <= to; value += 1) total += histogram[value] ?? 0
  return total
}

/** Facts about a mask's grey levels that the binarity rules and the summary share. */
export interface MaskBinarity {
  /** Pixels that are neither 0 nor 255. */
  nonBinary: number
  /** Pixels further than {@link BINARY_TOLERANCE} from both 0 and 255. */
  midGrey: number
  /** `midGrey` as a share of all pixels. */
  midGreyShare: number
}

/** Counts non-binary and mid-grey pixels of a mask. */
export function maskBinarity(stats: MaskPixelStats): MaskBinarity {
  const nonBinary = stats.pixels - (stats.histogram[0] ?? 0) - (stats.histogram[255] ?? 0)
  const midGrey = sum(stats.histogram, BINARY_TOLERANCE + 1, 254 - BINARY_TOLERANCE)
  return { nonBinary, midGrey, midGreyShare: stats.pixels === 0 ? 0 : midGrey / stats.pixels }
}

/** True when the mask is lossy-but-binary: `mask/lossy` and not `mask/not-binary` (and not a colour mask). */
export function isLossyMask(file: ProbedFileOk, policy: QaPolicy): boolean {
  const stats = file.mask
  if (stats === undefined || stats.colourPixels > stats.pixels * COLOUR_SHARE) return false
  const binarity = maskBinarity(stats)
  return binarity.nonBinary > 0 && binarity.midGreyShare <= policy.nonBinaryShare
}

/** `mask/*`: channels, alpha, depth, binarity, empty, near-empty and inverted masks. */
export function maskIssues(sample: ProbedSample, policy: QaPolicy): QaIssue[] {
  const { mask, sampleId } = sample
  if (!mask.ok || mask.mask === undefined) return []
  const stats = mask.mask
  const file = mask.relpath
  const header = mask.header
  const issues: QaIssue[] = []

  const colour = stats.colourPixels > stats.pixels * COLOUR_SHARE
  if (colour) {
    issues.push(
      makeIssue(
        'mask/colour',
        sampleId,
        `${file} has colour: ${formatPercent(stats.colourPixels / stats.pixels)} of its pixels are not grey`,
        { file, colourPixels: stats.colourPixels, pixels: stats.pixels, channels: header.channels },
      ),
    )
  } else if (stats.translucentPixels > 0) {
    issues.push(
      makeIssue(
        'mask/alpha',
        sampleId,
        `${file} has an alpha channel with ${formatPercent(stats.translucentPixels / stats.pixels)} transparent pixels`,
        { file, translucentPixels: stats.translucentPixels, pixels: stats.pixels },
      ),
    )
  } else if (header.channels > 1) {
    issues.push(
      makeIssue(
        'mask/multi-channel',
        sampleId,
        `${file} has ${String(header.channels)} channels (${header.isPalette ? 'palette' : header.space}${header.hasAlpha ? ', opaque alpha' : ''}) with equal grey values`,
        { file, channels: header.channels, space: header.space, palette: header.isPalette },
      ),
    )
  }
  if (header.depth !== 'uchar') {
    issues.push(
      makeIssue(
        'mask/bit-depth',
        sampleId,
        `${file} has ${header.depth === 'ushort' ? '16' : header.depth}-bit samples`,
        {
          file,
          depth: header.depth,
        },
      ),
    )
  }

  if (!colour) {
    const binarity = maskBinarity(stats)
    const details = {
      file,
      format: mask.format,
      nonBinaryPixels: binarity.nonBinary,
      midGreyPixels: binarity.midGrey,
      midGreyShare: binarity.midGreyShare,
      limit: policy.nonBinaryShare,
    }
    if (binarity.midGreyShare > policy.nonBinaryShare) {
      issues.push(
        makeIssue(
          'mask/not-binary',
          sampleId,
          `${file} is not black and white: ${formatPercent(binarity.midGreyShare)} of its pixels are mid-grey (limit ${formatPercent(policy.nonBinaryShare)})`,
          details,
        ),
      )
      return issues
    }
    if (binarity.nonBinary > 0) {
      issues.push(
        makeIssue(
          'mask/lossy',
          sampleId,
          `${file} has ${String(binarity.nonBinary)} pixels that are neither 0 nor 255 (${mask.format === 'jpeg' ? 'JPEG compression' : 'soft edges'}), ${String(binarity.midGrey)} of them mid-grey; it is thresholded at 127`,
          details,
        ),
      )
    }
  }

  const foreground = foregroundPixels(stats)
  const fraction = stats.pixels === 0 ? 0 : foreground / stats.pixels
  if (foreground === 0) {
    issues.push(emptyIssue(sampleId, file, stats))
  } else if (foreground < policy.nearEmptyPixels) {
    issues.push(
      makeIssue(
        'mask/near-empty',
        sampleId,
        `${file} has only ${String(foreground)} foreground pixels (minimum ${String(policy.nearEmptyPixels)})`,
        { file, foregroundPixels: foreground, minimum: policy.nearEmptyPixels },
      ),
    )
  } else {
    const inverted = invertedIssue(sampleId, mask, stats, fraction)
    if (inverted !== undefined) issues.push(inverted)
  }
  return issues
}

function emptyIssue(sampleId: string, file: string, stats: MaskPixelStats): QaIssue {
  let maxValue = 0
  for (let value = 255; value >= 0; value -= 1) {
    if ((stats.histogram[value] ?? 0) > 0) {
      maxValue = value
      break
    }
  }
  const classIndices = maxValue > 0 && maxValue < 16
  return makeIssue(
    'mask/empty',
    sampleId,
    classIndices
      ? `${file} has no pixel at 127 or above; its values only go up to ${String(maxValue)}, like class indices (0/1) rather than 0/255`
      : `${file} has no foreground pixel (none at 127 or above)`,
    { file, maxValue },
    classIndices ? 'Save the mask with the counter as 255 (white) and the background as 0.' : undefined,
  )
}

function invertedIssue(
  sampleId: string,
  mask: ProbedFileOk,
  stats: MaskPixelStats,
  fraction: number,
): QaIssue | undefined {
  const { width, height } = mask.header
  const sides = [width, height, width, height]
  const shares = stats.borderForeground.map((count, index) => count / Math.max(1, sides[index] ?? 1))
  const allBorders = shares.every((share) => share >= INVERTED_BORDER_SHARE)
  if (!allBorders && fraction <= INVERTED_FOREGROUND_SHARE) return undefined
  const what = allBorders
    ? `${mask.relpath} has foreground along all four borders (${shares.map((share) => formatPercent(share)).join(', ')} of top, right, bottom, left) and covers ${formatPercent(fraction)} of the picture`
    : `${mask.relpath} marks ${formatPercent(fraction)} of the picture as foreground`
  return makeIssue('mask/inverted', sampleId, what, {
    file: mask.relpath,
    foregroundShare: fraction,
    borderShares: shares,
  })
}
