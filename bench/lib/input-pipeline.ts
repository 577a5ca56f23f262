import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { batches, listDatasetPairs, md5File, PairCache, type Sample } from 'training-runner'
import { TrainingConfigSchema } from '@wms/shared/config/training-config'

// The augmentations training uses by default, so the bench measures what `train` does.
const AUGMENT = TrainingConfigSchema.parse({}).augment

/** Images per second of the input pipeline: cold (decode + resize + augment + preprocess) and warm (cached). */
export async function measureInputPipeline(
  root: string,
  size: number,
): Promise<{ pairs: number; coldImagesPerSecond: number; warmImagesPerSecond: number }> {
  const { pairs } = await listDatasetPairs(root)
  const samples: Sample[] = await Promise.all(
    pairs.map(async (p) => ({
      id: p.stem,
      md5: await md5File(path.join(root, p.image)),
      image: p.image,
      mask: p.mask,
    })),
  )
  const cache = new PairCache(root, size)
  const pass = async (epoch: number): Promise<number> => {
    const start = performance.now()
    let images = 0
    for await (const batch of batches(samples, cache, {
      batchSize: 4,
      shuffleSeed: 1,
      epoch,
      augment: AUGMENT,
      prefetch: 4,
    })) {
      images += batch.count
    }
    return images / ((performance.now() - start) / 1000)
  }
  const cold = await pass(1)
  const warm = await pass(2)
  return { pairs: samples.length, coldImagesPerSecond: cold, warmImagesPerSecond: warm }
}

/** True when `dir` looks like a dataset folder. */
export async function isDataset(dir: string): Promise<boolean> {
  try {
    const entries = await readdir(dir)
    return entries.includes('images') && entries.includes('masks')
  } catch {
    return false
  }
}
