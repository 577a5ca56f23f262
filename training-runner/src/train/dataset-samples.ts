import path from 'node:path'
import pLimit from 'p-limit'
import { WmsError } from '@wms/shared/errors'
import { splitByHash, type SplitName, type SplitRatios } from '@wms/shared/dataset/split'
import { listDatasetPairs } from '../dataset/list-dataset.js'
import { md5Bytes, md5File } from '../fs/hash-file.js'
import type { Sample } from './data/batches.js'

/**
 * The dataset as the trainer sees it: every pair with the MD5 of its image (its content address), split by that
 * hash. Pairing problems (orphans, duplicates) are QA's business; here they are left out and counted.
 */
export interface DatasetSplit {
  root: string
  splits: Record<SplitName, Sample[]>
  /** Pairs that could not be paired and were left out. */
  skipped: number
  /** MD5 over the sorted image hashes: identifies the dataset's content. */
  contentHash: string
}

/** Lists, hashes and splits the pairs under `root` (`images/`, `masks/`). */
export async function loadDatasetSplit(root: string, ratios: SplitRatios): Promise<DatasetSplit> {
  const { pairs, problems } = await listDatasetPairs(root)
  if (pairs.length === 0) {
    throw new WmsError('training/failed', `No image/mask pairs found under ${root}.`, {
      hint: 'The dataset folder needs images/<name>.jpg and masks/<name>.(jpg|png) with matching names.',
    })
  }
  const limit = pLimit(8)
  const samples = await Promise.all(
    pairs.map((pair) =>
      limit(async () => ({
        id: pair.stem,
        md5: await md5File(path.join(root, pair.image)),
        image: pair.image,
        mask: pair.mask,
      })),
    ),
  )
  const contentHash = md5Bytes(
    samples
      .map((s) => s.md5)
      .sort()
      .join('\n'),
  )
  return { root, splits: splitByHash(samples, ratios), skipped: problems.length, contentHash }
}
