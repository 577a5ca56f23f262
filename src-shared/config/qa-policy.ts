import { z } from 'zod'
import { configObject } from './strict-object.js'

/**
 * Thresholds of the dataset QA rules. Defaults follow the old system where it had a number
 * (near-empty < 100 px) and the measured sample data elsewhere.
 */
export const QaPolicySchema = configObject({
  /** Images with more pixels than this are refused before decoding (decompression bombs). */
  maxPixels: z.number().int().positive().default(40_000_000),
  /** Files larger than this are refused as absurd. */
  maxFileBytes: z
    .number()
    .int()
    .positive()
    .default(50 * 1024 * 1024),
  /** Shortest side, in pixels, below which an image is too small to train on. */
  minSide: z.number().int().positive().default(128),
  /** Masks with fewer foreground pixels than this are near-empty (the old system's MIN_MASK_PIXELS). */
  nearEmptyPixels: z.number().int().nonnegative().default(100),
  /** Share of mask pixels far from 0/255 above which a mask is not binary rather than lossy. */
  nonBinaryShare: z.number().min(0).max(1).default(0.05),
  /** Robust z-score (median/MAD) above which a foreground fraction or aspect ratio is an outlier. */
  outlierZ: z.number().positive().default(3.5),
  /** Outlier rules need at least this many pairs (new and existing together) to say what is usual. */
  minOutlierSamples: z.number().int().min(3).default(8),
  /** Hamming distance (of 64 bits) at or below which two perceptual hashes are near-duplicates. */
  nearDuplicateDistance: z.number().int().min(0).max(64).default(6),
  /** Time limit for probing one file. */
  perFileTimeoutMs: z.number().int().positive().default(20_000),
})

/** Parsed QA thresholds. */
export type QaPolicy = z.infer<typeof QaPolicySchema>

/** The default thresholds (what a workspace without a `qa` section gets). */
export function defaultQaPolicy(): QaPolicy {
  return QaPolicySchema.parse({})
}
