/**
 * At most `max` of `points` for a line chart, chosen so the lines look as they would with every point: the first
 * and the last, and in each of a run of equal buckets between them the lowest and the highest value of each
 * series (`keys`). A 440-pixel chart cannot show 5,000 epochs apart, and recharts spends its time per point, so
 * this draws a few hundred — but a spike or a dip in any series, however short, still shows (an even spread
 * would skip it). Points keep their order and identity; with `max` or fewer, all are returned.
 */
export function downsampleMinMax<T>(points: readonly T[], keys: readonly (keyof T)[], max: number): T[] {
  if (points.length <= max || points.length <= 2) return [...points]
  // Each bucket adds at most a minimum and a maximum per series; the ends take two places.
  const perBucket = Math.max(1, 2 * keys.length)
  const buckets = Math.floor((max - 2) / perBucket)
  const last = points.length - 1
  const kept = new Set<number>([0, last])
  const size = (last - 1) / Math.max(1, buckets)
  for (let bucket = 0; bucket < buckets; bucket += 1) {
    const from = 1 + Math.floor(bucket * size)
    const to = Math.min(last, 1 + Math.floor((bucket + 1) * size))
    for (const key of keys) for (const index of extremes(points, key, from, to)) kept.add(index)
  }
  return [...kept].sort((a, b) => a - b).map((index) => points[index] as T)
}

/** Indices of the lowest and the highest number under `key` in points[from, to); none when all are missing. */
function extremes<T>(points: readonly T[], key: keyof T, from: number, to: number): number[] {
  let low = -1
  let high = -1
  let lowValue = Infinity
  let highValue = -Infinity
  for (let index = from; index < to; index += 1) {
    const value = points[index]?.[key]
    if (typeof value !== 'number' || Number.isNaN(value)) continue
    if (value < lowValue) [low, lowValue] = [index, value]
    if (value > highValue) [high, highValue] = [index, value]
  }
  return low < 0 ? [] : [low, high]
}
