import path from 'node:path'
import pLimit from 'p-limit'
import { createPrng } from '@wms/shared/util/prng'
import { augmentGeometry, drawAugment, sampleSeed, type AugmentOptions } from './augment.js'
import { decodePair, type DecodedPair } from './decode.js'
import { DEFAULT_PREPROCESS, preprocessImage, type PreprocessOptions } from './preprocess.js'

/**
 * The input pipeline: decoded, resized pairs are cached (bounded by bytes), decoding runs in sharp's thread pool
 * with bounded concurrency, and batches are assembled `prefetch` ahead of the trainer, so the next batch is
 * usually ready when a training step ends. Augmentation (when asked) and preprocessing run per batch.
 */

/** One pair of the dataset, as the trainer knows it. */
export interface Sample {
  /** The pair's stem (its id in reports). */
  id: string
  /** MD5 of the image file (its content address; decides the split). */
  md5: string
  image: string
  mask: string
}

/** A batch ready for the model: NHWC float images in [0, 1] and 0/1 masks. */
export interface Batch {
  ids: string[]
  size: number
  count: number
  images: Float32Array
  masks: Float32Array
}

/** A byte-bounded cache of decoded pairs: once full, further pairs are decoded every time they are needed. */
export class PairCache {
  private readonly entries = new Map<string, Promise<DecodedPair>>()
  private bytes = 0
  private readonly limit: ReturnType<typeof pLimit>
  hits = 0
  misses = 0

  constructor(
    private readonly root: string,
    private readonly size: number,
    private readonly maxBytes = 1024 ** 3,
    concurrency = 4,
  ) {
    this.limit = pLimit(concurrency)
  }

  get(sample: Sample): Promise<DecodedPair> {
    const cached = this.entries.get(sample.md5 + sample.id)
    if (cached !== undefined) {
      this.hits += 1
      return cached
    }
    this.misses += 1
    const entryBytes = this.size * this.size * 4
    const promise = this.limit(() =>
      decodePair(path.join(this.root, sample.image), path.join(this.root, sample.mask), this.size),
    )
    if (this.bytes + entryBytes <= this.maxBytes) {
      const key = sample.md5 + sample.id
      this.entries.set(key, promise)
      this.bytes += entryBytes
      // A failed decode is not cached: the next epoch tries again (and reports the error again).
      promise.catch(() => {
        if (this.entries.delete(key)) this.bytes -= entryBytes
      })
    }
    return promise
  }
}

/** How to cut an epoch into batches. */
export interface BatchOptions {
  batchSize: number
  /** Shuffle with this seed (per epoch); omit to keep the order. */
  shuffleSeed?: number
  epoch?: number
  /** Augment (training); omit for evaluation. */
  augment?: AugmentOptions
  preprocess?: PreprocessOptions
  /** Batches prepared ahead of the consumer. */
  prefetch?: number
}

/** Seeded Fisher–Yates shuffle (a new array). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items]
  const prng = createPrng(seed)
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = prng.int(0, i)
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}

/** The batches of one pass over `samples`, prefetched. */
export async function* batches(
  samples: readonly Sample[],
  cache: PairCache,
  options: BatchOptions,
): AsyncGenerator<Batch> {
  const epoch = options.epoch ?? 0
  const order =
    options.shuffleSeed === undefined ? [...samples] : shuffled(samples, sampleSeed(options.shuffleSeed, epoch, -1))
  const groups: Sample[][] = []
  for (let i = 0; i < order.length; i += options.batchSize) groups.push(order.slice(i, i + options.batchSize))
  const ahead = Math.max(1, options.prefetch ?? 2)
  const queue: Promise<Batch>[] = []
  let next = 0
  const fill = (): void => {
    while (queue.length < ahead && next < groups.length) {
      const index = next
      next += 1
      const group = groups[index] as Sample[]
      const pending = assemble(group, index * options.batchSize, cache, options, epoch)
      pending.catch(() => undefined) // surfaced when awaited
      queue.push(pending)
    }
  }
  fill()
  while (queue.length > 0) {
    const batch = await (queue.shift() as Promise<Batch>)
    fill()
    yield batch
  }
}

async function assemble(
  group: Sample[],
  firstIndex: number,
  cache: PairCache,
  options: BatchOptions,
  epoch: number,
): Promise<Batch> {
  const pairs = await Promise.all(group.map((s) => cache.get(s)))
  const size = pairs[0]?.size ?? 0
  const pixels = size * size
  const images = new Float32Array(group.length * pixels * 3)
  const masks = new Float32Array(group.length * pixels)
  pairs.forEach((pair, i) => {
    let image = pair.image
    let mask = pair.mask
    let brightness = 1
    if (options.augment !== undefined && options.shuffleSeed !== undefined) {
      const draw = drawAugment(options.augment, sampleSeed(options.shuffleSeed, epoch, firstIndex + i))
      ;({ image, mask } = augmentGeometry(pair.image, pair.mask, size, size, 3, draw))
      brightness = draw.brightness
    }
    preprocessImage(image, size, size, images, i * pixels * 3, brightness, options.preprocess ?? DEFAULT_PREPROCESS)
    for (let p = 0; p < pixels; p += 1) masks[i * pixels + p] = mask[p] as number
  })
  return { ids: group.map((s) => s.id), size, count: group.length, images, masks }
}
