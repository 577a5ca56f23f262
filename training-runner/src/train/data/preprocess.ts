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
  const window = new Uint8Array(9)
  for (let y = 0; y < height; y += 1) {
    const rows = [Math.max(0, y - 1), y, Math.min(height - 1, y + 1)]
    for (let x = 0; x < width; x += 1) {
      const cols = [Math.max(0, x - 1), x, Math.min(width - 1, x + 1)]
      for (let c = 0; c < channels; c += 1) {
        let k = 0
        for (const r of rows) {
          for (const q of cols) window[k++] = pixels[(r * width + q) * channels + c] as number
        }
        out[(y * width + x) * channels + c] = median9(window)
      }
    }
  }
  return out
}

/** Median of 9 bytes (a partial insertion sort: 9 elements are too few for anything cleverer to pay off). */
function median9(w: Uint8Array): number {
  for (let i = 1; i < 9; i += 1) {
    const v = w[i] as number
    let j = i - 1
    while (j >= 0 && (w[j] as number) > v) {
      w[j + 1] = w[j] as number
      j -= 1
    }
    w[j + 1] = v
  }
  return w[4] as number
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
