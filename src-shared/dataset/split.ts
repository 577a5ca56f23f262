/**
 * Train/validation/test split as a pure function of each pair's content hash (the image file's MD5, which is
 * also its DVC content address), so a split can be computed from a dataset manifest without downloading, and
 * it is stable as data grows: adding pairs never moves an existing pair to another split, so test sets only grow
 * and never leak into training (PRODUCT.md §6). Byte-identical images always land together.
 *
 * The first 32 bits of the hash give a position u in [0, 1); test takes the lowest share, validation the next
 * and training the rest. Changing the ratios moves pairs; changing the train/val ratio alone never moves a test
 * pair.
 */

/** The three splits. */
export const SPLIT_NAMES = ['train', 'val', 'test'] as const

/** A split's name. */
export type SplitName = (typeof SPLIT_NAMES)[number]

/** Relative sizes (any positive weights; 80/10/10 by default). */
export interface SplitRatios {
  train: number
  val: number
  test: number
}

/** The old system's proportions. */
export const DEFAULT_SPLIT: SplitRatios = { train: 80, val: 10, test: 10 }

/** Position of a hash in [0, 1): its first 8 hex digits as a fraction of 2³². */
export function hashPosition(md5: string): number {
  if (!/^[0-9a-f]{8}/i.test(md5)) throw new Error(`not a hex content hash: "${md5}"`)
  return Number.parseInt(md5.slice(0, 8), 16) / 2 ** 32
}

/** The split of one pair, from its content hash. */
export function splitOf(md5: string, ratios: SplitRatios = DEFAULT_SPLIT): SplitName {
  const total = ratios.train + ratios.val + ratios.test
  if (!(total > 0) || ratios.train < 0 || ratios.val < 0 || ratios.test < 0) {
    throw new Error('split ratios must be non-negative and not all zero')
  }
  const u = hashPosition(md5)
  if (u < ratios.test / total) return 'test'
  if (u < (ratios.test + ratios.val) / total) return 'val'
  return 'train'
}

/** Groups items by split, keeping their order within each split. */
export function splitByHash<T extends { md5: string }>(
  items: readonly T[],
  ratios: SplitRatios = DEFAULT_SPLIT,
): Record<SplitName, T[]> {
  const out: Record<SplitName, T[]> = { train: [], val: [], test: [] }
  for (const item of items) out[splitOf(item.md5, ratios)].push(item)
  return out
}

/**
 * How many pairs a dataset needs so that a split with `share` (0–1) of the hash range gets at least one pair with
 * probability `confidence`: each pair lands there with probability `share`, so n = ⌈ln(1 − confidence) / ln(1 − share)⌉.
 */
export function pairsForNonEmptySplit(share: number, confidence = 0.95): number {
  if (!(share > 0)) return Number.POSITIVE_INFINITY
  if (share >= 1) return 1
  return Math.ceil(Math.log(1 - confidence) / Math.log(1 - share))
}

/** The share (0–1) of the hash range a split gets. */
export function splitShare(ratios: SplitRatios, split: SplitName): number {
  const total = ratios.train + ratios.val + ratios.test
  return total > 0 ? ratios[split] / total : 0
}
