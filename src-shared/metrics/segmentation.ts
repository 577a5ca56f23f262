/**
 * Segmentation metrics of binary masks, on typed arrays (row-major, one value per pixel, non-zero = foreground).
 * Pure: the app, the runner and the quality gate compute identical numbers from identical masks.
 *
 * Definitions follow the old system (seed-system.md §5.6) so its history stays comparable:
 * - Dice = (2·|P∩G| + ε)/(|P| + |G| + ε), IoU = (|P∩G| + ε)/(|P∪G| + ε), ε = 1e-6 (both empty → 1);
 * - pixel accuracy = share of pixels where prediction and truth agree;
 * - Hausdorff = symmetric Hausdorff distance (pixels) between the foreground pixel sets: 0 when both are empty,
 *   the image diagonal when exactly one is (the old rule, which made empty predictions score 724.08 at 512²).
 */

/** ε of the Dice and IoU ratios. */
export const SMOOTHING = 1e-6

/** The four scores of one image. */
export interface MaskScores {
  dice: number
  iou: number
  accuracy: number
  hausdorff: number
}

/** Mean of each score over a set of images (and how many). */
export interface AggregateScores extends MaskScores {
  count: number
}

/** Counts of one comparison (also enough to pool scores across images). */
export interface MaskCounts {
  predicted: number
  truth: number
  intersection: number
  agree: number
  pixels: number
}

/** Pixel counts of a prediction against the truth. */
export function countMasks(predicted: ArrayLike<number>, truth: ArrayLike<number>): MaskCounts {
  if (predicted.length !== truth.length) {
    throw new Error(`mask sizes differ: ${String(predicted.length)} vs ${String(truth.length)}`)
  }
  let p = 0
  let g = 0
  let both = 0
  let agree = 0
  for (let i = 0; i < predicted.length; i += 1) {
    const a = predicted[i] !== 0
    const b = truth[i] !== 0
    if (a) p += 1
    if (b) g += 1
    if (a && b) both += 1
    if (a === b) agree += 1
  }
  return { predicted: p, truth: g, intersection: both, agree, pixels: predicted.length }
}

/** Dice, IoU and accuracy from counts. */
export function overlapScores(c: MaskCounts): Omit<MaskScores, 'hausdorff'> {
  const union = c.predicted + c.truth - c.intersection
  return {
    dice: (2 * c.intersection + SMOOTHING) / (c.predicted + c.truth + SMOOTHING),
    iou: (c.intersection + SMOOTHING) / (union + SMOOTHING),
    accuracy: c.pixels === 0 ? 1 : c.agree / c.pixels,
  }
}

/** All four scores of one image of `width × height` pixels. */
export function scoreMasks(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
  width: number,
  height: number,
): MaskScores {
  if (predicted.length !== width * height) {
    throw new Error(`mask has ${String(predicted.length)} pixels, expected ${String(width)}×${String(height)}`)
  }
  return {
    ...overlapScores(countMasks(predicted, truth)),
    hausdorff: hausdorffDistance(predicted, truth, width, height),
  }
}

/** Mean of each score (an empty list gives count 0 and NaN scores). */
export function aggregateScores(scores: readonly MaskScores[]): AggregateScores {
  const n = scores.length
  const mean = (key: keyof MaskScores): number => scores.reduce((sum, s) => sum + s[key], 0) / n
  return { count: n, dice: mean('dice'), iou: mean('iou'), accuracy: mean('accuracy'), hausdorff: mean('hausdorff') }
}

/**
 * Symmetric Hausdorff distance between the foreground pixel sets of two masks, exact, in O(pixels): the largest
 * Euclidean distance transform value of one set evaluated on the other, both ways.
 */
export function hausdorffDistance(a: ArrayLike<number>, b: ArrayLike<number>, width: number, height: number): number {
  let anyA = false
  let anyB = false
  for (let i = 0; i < a.length; i += 1) {
    if (a[i] !== 0) anyA = true
    if (b[i] !== 0) anyB = true
    if (anyA && anyB) break
  }
  if (!anyA && !anyB) return 0
  if (!anyA || !anyB) return Math.sqrt(width * width + height * height)
  const toB = squaredDistanceTransform(b, width, height)
  const toA = squaredDistanceTransform(a, width, height)
  let worst = 0
  for (let i = 0; i < a.length; i += 1) {
    if (a[i] !== 0 && (toB[i] as number) > worst) worst = toB[i] as number
    if (b[i] !== 0 && (toA[i] as number) > worst) worst = toA[i] as number
  }
  return Math.sqrt(worst)
}

/** Squared Euclidean distance of every pixel to the nearest foreground pixel (Felzenszwalb–Huttenlocher). */
export function squaredDistanceTransform(mask: ArrayLike<number>, width: number, height: number): Float64Array {
  const inf = 1e20
  const grid = new Float64Array(width * height)
  for (let i = 0; i < grid.length; i += 1) grid[i] = mask[i] !== 0 ? 0 : inf
  const n = Math.max(width, height)
  const f = new Float64Array(n)
  const d = new Float64Array(n)
  const v = new Int32Array(n)
  const z = new Float64Array(n + 1)
  for (let x = 0; x < width; x += 1) {
    for (let y = 0; y < height; y += 1) f[y] = grid[y * width + x] as number
    transform1d(f, height, d, v, z)
    for (let y = 0; y < height; y += 1) grid[y * width + x] = d[y] as number
  }
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) f[x] = grid[y * width + x] as number
    transform1d(f, width, d, v, z)
    for (let x = 0; x < width; x += 1) grid[y * width + x] = d[x] as number
  }
  return grid
}

/** 1-D squared distance transform of a sampled function (lower envelope of parabolas). */
function transform1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0
  v[0] = 0
  z[0] = -Infinity
  z[1] = Infinity
  const intersect = (q: number, r: number): number =>
    ((f[q] as number) + q * q - ((f[r] as number) + r * r)) / (2 * q - 2 * r)
  for (let q = 1; q < n; q += 1) {
    // z[0] = −∞ ends the loop at k = 0 (values are finite: "no foreground" is 1e20, not ∞, so no NaN).
    let s = intersect(q, v[k] as number)
    while (s <= (z[k] as number)) {
      k -= 1
      s = intersect(q, v[k] as number)
    }
    k += 1
    v[k] = q
    z[k] = s
    z[k + 1] = Infinity
  }
  k = 0
  for (let q = 0; q < n; q += 1) {
    while ((z[k + 1] as number) < q) k += 1
    const r = v[k] as number
    d[q] = (q - r) * (q - r) + (f[r] as number)
  }
}
