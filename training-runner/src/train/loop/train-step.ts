import * as tf from '@tensorflow/tfjs'
import type { Batch } from '../data/batches.js'
import type { Unet } from '../model/unet.js'
import type { Adam } from '../ops/adam.js'
import { runningStatNames, shardGradients, type GradientOptions, type ShardResult } from './gradients.js'

/** One step's loss and the batch's per-image training Dice and IoU (from the same forward pass). */
export interface StepResult {
  loss: number
  dice: number[]
  iou: number[]
}

/** A training step: in-process ({@link createTrainStep}) or across worker threads (`parallel/`). */
export type TrainStep = (batch: Batch) => Promise<StepResult>

/**
 * The in-process training step: the whole batch's gradients (in micro-batches when `microBatchSize` is smaller
 * than the batch), then one Adam update. Nothing outlives the step (the smoke test asserts the tensor count).
 */
export function createTrainStep(model: Unet, adam: Adam, options: GradientOptions): TrainStep {
  return (batch) => {
    const shard = { images: batch.images, masks: batch.masks, count: batch.count, side: batch.size }
    return Promise.resolve(applyShards(model, adam, [shardGradients(model, shard, batch.count, options)]))
  }
}

/**
 * Sums the shards' weighted gradients and running statistics (in shard order, so every run adds in the same
 * order), applies one Adam update with them and sets the running statistics. The step's result in batch order.
 */
export function applyShards(model: Unet, adam: Adam, shards: readonly ShardResult[]): StepResult {
  const names = [...model.trainable.keys()]
  tf.tidy(() => {
    const named: Record<string, tf.Tensor> = {}
    names.forEach((name, i) => {
      const variable = model.trainable.get(name) as tf.Variable
      named[name] = tf.tensor(
        sumOver(shards, (s) => s.grads[i]),
        variable.shape,
      )
    })
    adam.apply(named)
    runningStatNames(model).forEach((name, i) => {
      const variable = model.variables.get(name) as tf.Variable
      variable.assign(
        tf.tensor(
          sumOver(shards, (s) => s.stats[i]),
          variable.shape,
        ),
      )
    })
  })
  return {
    loss: shards.reduce((sum, s) => sum + s.weightedLoss, 0),
    dice: shards.flatMap((s) => s.dice),
    iou: shards.flatMap((s) => s.iou),
  }
}

/** Element-wise sum of one array of every shard (a single shard's array is used as it is). */
function sumOver(shards: readonly ShardResult[], pick: (s: ShardResult) => Float32Array | undefined): Float32Array {
  const arrays = shards.map(pick).filter((a): a is Float32Array => a !== undefined)
  const first = arrays[0]
  if (first === undefined) throw new Error('a shard lost its gradients')
  if (arrays.length === 1) return first
  const sum = new Float32Array(first.length)
  for (const array of arrays) for (let i = 0; i < sum.length; i += 1) sum[i] = (sum[i] as number) + (array[i] as number)
  return sum
}
