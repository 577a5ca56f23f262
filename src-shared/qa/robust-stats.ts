/**
 * Order statistics for QA summaries and outlier rules. Median/MAD rather than mean/SD, because the data it judges
 * (foreground fractions, aspect ratios) is skewed and the outliers it looks for would drag a mean along.
 */

/** The `q` quantile (0–1) of `values` by linear interpolation; `undefined` for no values. */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const position = Math.min(1, Math.max(0, q)) * (sorted.length - 1)
  const lower = Math.floor(position)
  const upper = Math.ceil(position)
  const a = sorted[lower] ?? 0
  const b = sorted[upper] ?? a
  return a + (b - a) * (position - lower)
}

/** The median of `values`; `undefined` for no values. */
export function median(values: readonly number[]): number | undefined {
  return quantile(values, 0.5)
}

/** Median and median absolute deviation of `values`, the MAD no smaller than `madFloor`. */
export interface RobustScale {
  median: number
  mad: number
}

/** Median and MAD (floored at `madFloor`, so a dataset of identical values does not flag every difference). */
export function robustScale(values: readonly number[], madFloor: number): RobustScale | undefined {
  const center = median(values)
  if (center === undefined) return undefined
  const mad = median(values.map((value) => Math.abs(value - center))) ?? 0
  return { median: center, mad: Math.max(mad, madFloor) }
}

/** Robust z-score (Iglewicz & Hoaglin): 0.6745 · (x − median) / MAD; |z| > 3.5 is the usual outlier cut. */
export function robustZ(value: number, scale: RobustScale): number {
  return (0.6745 * (value - scale.median)) / scale.mad
}

/** One value that lies beyond the limit: its robust z-score and the reference's usual (median) value. */
export interface Outlier<T> {
  item: T
  z: number
  usual: number
}

/** How {@link logScaleOutliers} judges: the MAD floor (on the log scale), the |z| limit, the fewest values to judge. */
export interface OutlierOptions {
  madFloor: number
  limit: number
  minSamples: number
}

/**
 * The items whose value is an outlier against `reference` on a log scale (robust z of log(value) beyond ±limit):
 * the quantities QA judges this way are ratios, skewed, so a log makes their spread symmetric. None when the
 * reference has fewer than `minSamples` values.
 */
export function logScaleOutliers<T>(
  items: readonly T[],
  valueOf: (item: T) => number,
  reference: readonly number[],
  options: OutlierOptions,
): Outlier<T>[] {
  if (reference.length < options.minSamples) return []
  const scale = robustScale(
    reference.map((value) => Math.log(value)),
    options.madFloor,
  )
  if (scale === undefined) return []
  const usual = Math.exp(scale.median)
  const outliers: Outlier<T>[] = []
  for (const item of items) {
    const z = robustZ(Math.log(valueOf(item)), scale)
    if (Math.abs(z) > options.limit) outliers.push({ item, z, usual })
  }
  return outliers
}
