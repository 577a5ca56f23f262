import * as tf from '@tensorflow/tfjs'
import { countMasks, overlapScores } from '@wms/shared/metrics/segmentation'
import { logitThreshold } from '../evaluate-samples.js'
import type { Unet } from '../model/unet.js'
import { trainingLoss, type LossOptions } from '../ops/losses.js'

/**
 * The gradient half of a training step, shared by the in-process trainer and the data-parallel workers
 * (`parallel/`): the gradients of the batch's training loss with respect to every trainable variable, computed over
 * one shard of the batch in micro-batches, each weighted by its share of the whole batch. Summing the shards'
 * results gives the whole batch's mean gradient, so one process with micro-batches and several workers with one
 * shard each produce the same update.
 *
 * BatchNorm uses the statistics of each micro-batch (as PyTorch does under gradient accumulation and in
 * DistributedDataParallel without SyncBatchNorm); the running statistics are the share-weighted mean of what each
 * micro-batch's update would give, which equals one update with the mean batch statistics.
 */

export interface GradientOptions {
  loss: LossOptions
  /** Probability threshold for the per-image training Dice/IoU. */
  threshold: number
  /** Images per forward/backward pass (null or ≥ shard: the whole shard at once). */
  microBatchSize: number | null
}

/** One shard's contribution, already weighted by shard/batch: sum the shards' arrays to get the batch's. */
export interface ShardResult {
  /** Per trainable variable, in `model.trainable` order. */
  grads: Float32Array[]
  /** Per running-statistics variable, in {@link runningStatNames} order. */
  stats: Float32Array[]
  /** Loss × share of the batch (sum over shards = the batch's loss). */
  weightedLoss: number
  dice: number[]
  iou: number[]
}

/** The non-trainable variables (BatchNorm running statistics), in the model's variable order. */
export function runningStatNames(model: Unet): string[] {
  return [...model.variables.keys()].filter((name) => !model.trainable.has(name))
}

/** Where a shard of `count` images starts and ends in its batch, for `parts` shards as even as possible. */
export function shardBounds(count: number, parts: number): [number, number][] {
  const bounds: [number, number][] = []
  let start = 0
  for (let i = 0; i < parts; i += 1) {
    const size = Math.floor(count / parts) + (i < count % parts ? 1 : 0)
    bounds.push([start, start + size])
    start += size
  }
  return bounds
}

/**
 * Gradients of a shard (`images`/`masks` hold `count` images of side² pixels) of a batch of `batchCount` images.
 * Leaves the model's variables as they were (running statistics included).
 */
export function shardGradients(
  model: Unet,
  shard: { images: Float32Array; masks: Float32Array; count: number; side: number },
  batchCount: number,
  options: GradientOptions,
): ShardResult {
  const trainable = [...model.trainable.values()]
  const statVariables = runningStatNames(model).map((name) => model.variables.get(name) as tf.Variable)
  const startStats = statVariables.map((v) => tf.clone(v))
  const { count, side } = shard
  const micro = Math.max(1, Math.min(options.microBatchSize ?? count, count))
  const pixels = side * side
  let grads: tf.Tensor[] | undefined
  let stats: tf.Tensor[] | undefined
  const dice: number[] = []
  const iou: number[] = []
  let weightedLoss = 0
  try {
    for (let start = 0; start < count; start += micro) {
      const n = Math.min(micro, count - start)
      const weight = n / batchCount
      const images = shard.images.subarray(start * pixels * 3, (start + n) * pixels * 3)
      const masks = shard.masks.subarray(start * pixels, (start + n) * pixels)
      let logits: Float32Array = new Float32Array(0)
      const next = tf.tidy(() => {
        statVariables.forEach((v, i) => {
          v.assign(startStats[i] as tf.Tensor)
        })
        const x = tf.tensor4d(images, [n, side, side, 3])
        const y = tf.tensor4d(masks, [n, side, side, 1])
        const { value, grads: byName } = tf.variableGrads(() => {
          const z = model.trainForward(x)
          logits = z.dataSync() as Float32Array
          return trainingLoss(z, y, options.loss)
        }, trainable)
        weightedLoss += (value.dataSync()[0] as number) * weight
        const g = trainable.map((v, i) => accumulate(grads?.[i], tf.mul(byName[v.name] as tf.Tensor, weight)))
        const s = statVariables.map((v, i) => accumulate(stats?.[i], tf.mul(v, weight)))
        return { g, s }
      })
      grads?.forEach((t) => t.dispose())
      stats?.forEach((t) => t.dispose())
      grads = next.g
      stats = next.s
      scoreImages(logits, masks, n, pixels, options.threshold, dice, iou)
    }
    return {
      grads: (grads ?? []).map((t) => t.dataSync() as Float32Array),
      stats: (stats ?? []).map((t) => t.dataSync() as Float32Array),
      weightedLoss,
      dice,
      iou,
    }
  } finally {
    statVariables.forEach((v, i) => {
      v.assign(startStats[i] as tf.Tensor)
    })
    startStats.forEach((t) => t.dispose())
    grads?.forEach((t) => t.dispose())
    stats?.forEach((t) => t.dispose())
  }
}

function accumulate(sum: tf.Tensor | undefined, term: tf.Tensor): tf.Tensor {
  return sum === undefined ? term : tf.add(sum, term)
}

/** Per-image Dice and IoU of thresholded logits against the masks (the training curve's scores). */
function scoreImages(
  logits: Float32Array,
  masks: Float32Array,
  count: number,
  pixels: number,
  threshold: number,
  dice: number[],
  iou: number[],
): void {
  const cut = logitThreshold(threshold)
  for (let i = 0; i < count; i += 1) {
    const offset = i * pixels
    const predicted = new Uint8Array(pixels)
    for (let p = 0; p < pixels; p += 1) predicted[p] = (logits[offset + p] as number) > cut ? 1 : 0
    const s = overlapScores(countMasks(predicted, masks.subarray(offset, offset + pixels)))
    dice.push(s.dice)
    iou.push(s.iou)
  }
}
