/**
 * The old system's preprocessing (`WMS/src/transforms.py`), on interleaved RGB uint8 pixels of one resized image:
 * a contrast stretch between the 2nd and 98th percentile of all pixel values (channels pooled, NumPy's linear
 * interpolation), re-quantisation to uint8, a 3×3 median blur per channel (edges replicated, like OpenCV), and
 * scaling to [0, 1]. Pure and deterministic, so training, evaluation and prediction preprocess identically.
 */

/** Options that change the preprocessing (recorded in the exported model's metadata). */
export interface PreprocessOptions {
  /** Percentiles of the contrast stretch. */
  lowPercentile: number
  highPercentile: number
  /** Median blur window (odd; 0 or 1 = off). */
  medianSize: number
}

export const DEFAULT_PREPROCESS: PreprocessOptions = { lowPercentile: 2, highPercentile: 98, medianSize: 3 }

/** NumPy-style `percentile(values, q)` (linear interpolation) of uint8 values, via a histogram. */
export function percentileOfBytes(values: Uint8Array, q: number): number {
  const n = values.length
  if (n === 0) return 0
  const histogram = new Uint32Array(256)
  for (let i = 0; i < n; i += 1) histogram[values[i] as number] = (histogram[values[i] as number] as number) + 1
  const rank = (q / 100) * (n - 1)
  const lower = Math.floor(rank)
  const fraction = rank - lower
  const a = orderStatistic(histogram, lower)
  const b = fraction > 0 ? orderStatistic(histogram, Math.min(n - 1, lower + 1)) : a
  return a + fraction * (b - a)
}

/** The k-th smallest value (0-based) of a 256-bin histogram. */
function orderStatistic(histogram: Uint32Array, k: number): number {
  let seen = 0
  for (let v = 0; v < 256; v += 1) {
    seen += histogram[v] as number
    if (seen > k) return v
  }
  return 255
}

/**
 * Contrast stretch of uint8 pixels: (x/255 − p_low)/(p_high − p_low + 1e-6), clipped to [0, 1], re-quantised
 * to uint8 by truncation (NumPy's `astype(uint8)` of the scaled value). Returns a new array.
 */
export function contrastStretch(pixels: Uint8Array, options: PreprocessOptions = DEFAULT_PREPROCESS): Uint8Array {
  const low = percentileOfBytes(pixels, options.lowPercentile) / 255
  const high = percentileOfBytes(pixels, options.highPercentile) / 255
  const scale = 1 / (high - low + 1e-6)
  const lut = new Uint8Array(256)
  for (let v = 0; v < 256; v += 1) {
    const stretched = Math.min(1, Math.max(0, (v / 255 - low) * scale))
    lut[v] = Math.floor(stretched * 255)
  }
  const out = new Uint8Array(pixels.length)
  for (let i = 0; i < pixels.length; i += 1) out[i] = lut[pixels[i] as number] as number
  return out
}

/** 3×3 median filter of interleaved pixels (`channels` per pixel), edges replicated. Returns a new array. */
export function medianBlur3(pixels: Uint8Array, width: number, height: number, channels: number): Uint8Array {
  const out = new Uint8Array(pixels.length)
  const stride = width * channels
  const p = pixels
  for (let y = 0; y < height; y += 1) {
    const up = (y > 0 ? y - 1 : 0) * stride
    const mid = y * stride
    const down = (y < height - 1 ? y + 1 : y) * stride
    for (let x = 0; x < width; x += 1) {
      const left = (x > 0 ? x - 1 : 0) * channels
      const centre = x * channels
      const right = (x < width - 1 ? x + 1 : x) * channels
      for (let c = 0; c < channels; c += 1) {
        out[mid + centre + c] = median9(
          p[up + left + c] as number,
          p[up + centre + c] as number,
          p[up + right + c] as number,
          p[mid + left + c] as number,
          p[mid + centre + c] as number,
          p[mid + right + c] as number,
          p[down + left + c] as number,
          p[down + centre + c] as number,
          p[down + right + c] as number,
        )
      }
    }
  }
  return out
}

/** Median of 9 values by a 19-exchange sorting network (Paeth), on locals (no allocation, no array). */
function median9(
  a0: number,
  a1: number,
  a2: number,
  a3: number,
  a4: number,
  a5: number,
  a6: number,
  a7: number,
  a8: number,
): number {
  let t: number
  if (a1 > a2) {
    t = a1
    a1 = a2
    a2 = t
  }
  if (a4 > a5) {
    t = a4
    a4 = a5
    a5 = t
  }
  if (a7 > a8) {
    t = a7
    a7 = a8
    a8 = t
  }
  if (a0 > a1) {
    t = a0
    a0 = a1
    a1 = t
  }
  if (a3 > a4) {
    t = a3
    a3 = a4
    a4 = t
  }
  if (a6 > a7) {
    t = a6
    a6 = a7
    a7 = t
  }
  if (a1 > a2) {
    t = a1
    a1 = a2
    a2 = t
  }
  if (a4 > a5) {
    t = a4
    a4 = a5
    a5 = t
  }
  if (a7 > a8) {
    t = a7
    a7 = a8
    a8 = t
  }
  if (a0 > a3) {
    t = a0
    a0 = a3
    a3 = t
  }
  if (a5 > a8) {
    t = a5
    a5 = a8
    a8 = t
  }
  if (a4 > a7) {
    t = a4
    a4 = a7
    a7 = t
  }
  if (a3 > a6) {
    t = a3
    a3 = a6
    a6 = t
  }
  if (a1 > a4) {
    t = a1
    a1 = a4
    a4 = t
  }
  if (a2 > a5) {
    t = a2
    a2 = a5
    a5 = t
  }
  if (a4 > a7) {
    t = a4
    a4 = a7
    a7 = t
  }
  if (a4 > a2) {
    t = a4
    a4 = a2
    a2 = t
  }
  if (a6 > a4) {
    t = a6
    a6 = a4
    a4 = t
  }
  if (a4 > a2) {
    t = a4
    a4 = a2
    a2 = t
  }
  return a4
}

/**
 * The whole preprocessing of one RGB image (after resizing and any geometric augmentation): stretch, median blur,
 * scale to [0, 1]. `brightness` (the colour-jitter augmentation) multiplies afterwards and clips, as the old
 * transforms did. Writes into `out` (length width·height·3) at `offset`.
 */
export function preprocessImage(
  rgb: Uint8Array,
  width: number,
  height: number,
  out: Float32Array,
  offset = 0,
  brightness = 1,
  options: PreprocessOptions = DEFAULT_PREPROCESS,
): void {
  let pixels = contrastStretch(rgb, options)
  if (options.medianSize === 3) pixels = medianBlur3(pixels, width, height, 3)
  else if (options.medianSize > 1) throw new Error(`median blur of size ${String(options.medianSize)} is not supported`)
  const scale = brightness / 255
  for (let i = 0; i < pixels.length; i += 1) {
    const v = (pixels[i] as number) * scale
    out[offset + i] = v > 1 ? 1 : v
  }
}
