import type { QaPolicy } from '../config/qa-policy.js'
import type { DatasetIndexEntry } from './dataset-index.js'
import { formatPercent, formatSize } from './format-values.js'
import { makeIssue, type QaIssue } from './issue.js'
import { foregroundFraction, orientedSize, type ProbedSample } from './probe.js'
import { logScaleOutliers, type OutlierOptions } from './robust-stats.js'
import { parseDatasetPath } from '../dataset/pairing.js'

/**
 * Dataset-level outliers: foreground share and aspect ratio far from what the dataset (upload plus existing
 * entries that carry the numbers) usually has. Robust z-scores on a log scale, because both quantities are ratios
 * and skewed (foreground 0.3–15 %, median 2 % in the real data).
 */

/** Smallest MAD of log(foreground share): below it, ordinary spread would look like outliers. */
const FOREGROUND_LOG_MAD_FLOOR = 0.25
/** Smallest MAD of log(long side / short side): 4:3 next to 16:9 is ordinary. */
const ASPECT_LOG_MAD_FLOOR = 0.1

/** `mask/foreground-outlier` and `geometry/aspect-outlier` for the upload's samples. */
export function outlierIssues(
  samples: readonly ProbedSample[],
  existing: readonly DatasetIndexEntry[],
  policy: QaPolicy,
): QaIssue[] {
  return [...foregroundOutliers(samples, existing, policy), ...aspectOutliers(samples, existing, policy)]
}

function foregroundOutliers(
  samples: readonly ProbedSample[],
  existing: readonly DatasetIndexEntry[],
  policy: QaPolicy,
): QaIssue[] {
  const measured: { sample: ProbedSample; fraction: number }[] = []
  for (const sample of samples) {
    if (!sample.mask.ok || sample.mask.mask === undefined) continue
    const fraction = foregroundFraction(sample.mask.mask)
    if (fraction > 0) measured.push({ sample, fraction })
  }
  const reference = [
    ...measured.map((m) => m.fraction),
    ...existing
      .filter((entry) => entry.foreground !== undefined && entry.foreground > 0)
      .filter((entry) => parseDatasetPath(entry.relpath).role === 'masks')
      .map((entry) => entry.foreground ?? 0),
  ]
  const outliers = logScaleOutliers(measured, (m) => m.fraction, reference, judging(policy, FOREGROUND_LOG_MAD_FLOOR))
  return outliers.map(({ item: { sample, fraction }, z, usual }) => {
    const file = sample.mask.relpath
    return makeIssue(
      'mask/foreground-outlier',
      sample.sampleId,
      `${file} marks ${formatPercent(fraction)} of the picture as foreground; the dataset's median is ${formatPercent(usual)} (robust z ${z.toFixed(1)}, limit ±${String(policy.outlierZ)})`,
      { file, foreground: fraction, median: usual, z, limit: policy.outlierZ, compared: reference.length },
    )
  })
}

function aspectOutliers(
  samples: readonly ProbedSample[],
  existing: readonly DatasetIndexEntry[],
  policy: QaPolicy,
): QaIssue[] {
  const aspect = (width: number, height: number): number =>
    Math.max(width, height) / Math.max(1, Math.min(width, height))
  const measured: { sample: ProbedSample; width: number; height: number; ratio: number }[] = []
  for (const sample of samples) {
    if (!sample.image.ok) continue
    const { width, height } = orientedSize(sample.image.header)
    measured.push({ sample, width, height, ratio: aspect(width, height) })
  }
  const reference = [
    ...measured.map((m) => m.ratio),
    ...existing
      .filter((entry) => entry.width !== undefined && entry.height !== undefined)
      .filter((entry) => parseDatasetPath(entry.relpath).role === 'images')
      .map((entry) => aspect(entry.width ?? 1, entry.height ?? 1)),
  ]
  const outliers = logScaleOutliers(measured, (m) => m.ratio, reference, judging(policy, ASPECT_LOG_MAD_FLOOR))
  return outliers.map(({ item: { sample, width, height, ratio }, z, usual }) => {
    const file = sample.image.relpath
    return makeIssue(
      'geometry/aspect-outlier',
      sample.sampleId,
      `${file} is ${formatSize(width, height)}, an aspect ratio of ${ratio.toFixed(2)}:1; the dataset's median is ${usual.toFixed(2)}:1 (robust z ${z.toFixed(1)}, limit ±${String(policy.outlierZ)})`,
      { file, width, height, aspect: ratio, median: usual, z, limit: policy.outlierZ },
    )
  })
}

/** The policy's outlier settings with a quantity's own MAD floor. */
function judging(policy: QaPolicy, madFloor: number): OutlierOptions {
  return { madFloor, limit: policy.outlierZ, minSamples: policy.minOutlierSamples }
}
