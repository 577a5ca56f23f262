import { z } from 'zod'

/**
 * The dataset index: what QA needs to know about the existing dataset to judge an upload against it (exact and
 * near duplicates, name collisions, what sizes and foreground shares are usual) without downloading a single image.
 *
 * One entry per file, `relpath` as in the dataset folder (`images/x.jpg`, `masks/x.jpg`); `md5` is DVC's content
 * hash, so entries can also be built from a DVC `.dir` manifest (relpath + md5 only). `phash`, sizes and
 * `foreground` are optional and make the near-duplicate and outlier rules see the existing data too.
 * `training-runner qa index <dataset-dir> --out <file>` writes one.
 */

/** One file of the existing dataset. */
export const DatasetIndexEntrySchema = z.object({
  /** Path in the dataset folder, forward slashes: `images/<name>` or `masks/<name>`. */
  relpath: z.string().min(1),
  /** MD5 of the file's bytes (hex), DVC's content address. */
  md5: z.string().regex(/^[0-9a-f]{32}$/),
  bytes: z.number().int().nonnegative().optional(),
  /** Perceptual hash of the EXIF-oriented image (16 hex digits, images only). */
  phash: z
    .string()
    .regex(/^[0-9a-f]{16}$/)
    .optional(),
  /** Size after EXIF orientation. */
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  /** Foreground share 0–1 (masks only). */
  foreground: z.number().min(0).max(1).optional(),
})

/** One file of the existing dataset. */
export type DatasetIndexEntry = z.infer<typeof DatasetIndexEntrySchema>

/** Version of the index format. */
export const DATASET_INDEX_SCHEMA_VERSION = 1

/** A dataset index file. */
export const DatasetIndexSchema = z.object({
  schemaVersion: z.literal(DATASET_INDEX_SCHEMA_VERSION),
  /** Free text saying where the entries came from (a folder, a DVC manifest hash). */
  source: z.string().optional(),
  entries: z.array(DatasetIndexEntrySchema),
})

/** A dataset index file. */
export type DatasetIndex = z.infer<typeof DatasetIndexSchema>

/** Builds an index with entries sorted by relpath (stable diffs). */
export function makeDatasetIndex(entries: readonly DatasetIndexEntry[], source?: string): DatasetIndex {
  const sorted = [...entries].sort((a, b) => (a.relpath < b.relpath ? -1 : a.relpath > b.relpath ? 1 : 0))
  return source === undefined
    ? { schemaVersion: DATASET_INDEX_SCHEMA_VERSION, entries: sorted }
    : { schemaVersion: DATASET_INDEX_SCHEMA_VERSION, source, entries: sorted }
}

/** What {@link indexEntriesFromSamples} reads: the `samples` of a QA report. */
interface SampleFacts {
  image: {
    relpath: string
    md5?: string | undefined
    bytes: number
    phash?: string | undefined
    width?: number | undefined
    height?: number | undefined
  }
  mask: { relpath: string; md5?: string | undefined; bytes: number; foreground?: number | undefined }
}

/** Index entries for the pairs of a QA report (files without a content hash are left out). */
export function indexEntriesFromSamples(samples: readonly SampleFacts[]): DatasetIndexEntry[] {
  const entries: DatasetIndexEntry[] = []
  for (const { image, mask } of samples) {
    if (image.md5 !== undefined) {
      const entry: DatasetIndexEntry = { relpath: image.relpath, md5: image.md5, bytes: image.bytes }
      if (image.phash !== undefined) entry.phash = image.phash
      if (image.width !== undefined && image.height !== undefined) {
        entry.width = image.width
        entry.height = image.height
      }
      entries.push(entry)
    }
    if (mask.md5 !== undefined) {
      const entry: DatasetIndexEntry = { relpath: mask.relpath, md5: mask.md5, bytes: mask.bytes }
      if (mask.foreground !== undefined) entry.foreground = mask.foreground
      entries.push(entry)
    }
  }
  return entries
}
