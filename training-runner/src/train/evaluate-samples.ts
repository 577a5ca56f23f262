import * as tf from '@tensorflow/tfjs'
import {
  aggregateScores,
  countMasks,
  hausdorffDistance,
  overlapScores,
  type AggregateScores,
  type MaskScores,
} from '@wms/shared/metrics/segmentation'
import { batches, type PairCache, type Sample } from './data/batches.js'
import type { PreprocessOptions } from './data/preprocess.js'
import type { Unet } from './model/unet.js'
import { bceWithLogits } from './ops/bce-loss.js'

/** One image's scores, named by its pair. */
export interface ImageScores extends MaskScores {
  id: string
  md5: string
}

/** Scores of a set of images. */
export interface EvaluationScores {
  aggregate: AggregateScores
  perImage: ImageScores[]
  /** Mean BCE-with-logits loss over pixels (inference mode). */
  loss: number
}

/** Logit threshold of a probability threshold: σ(z) > p ⇔ z > log(p/(1−p)). */
export function logitThreshold(probability: number): number {
  return Math.log(probability / (1 - probability))
}

/**
 * Runs the model in inference mode over `samples` (at the model's input size, the way it was trained) and scores
 * each predicted mask against its (resized) ground truth. Hausdorff is optional because validation runs every
 * epoch and does not need it.
 */
export async function evaluateSamples(
  model: Unet,
  samples: readonly Sample[],
  cache: PairCache,
  options: { batchSize: number; threshold: number; hausdorff?: boolean; preprocess?: PreprocessOptions },
): Promise<EvaluationScores> {
  const perImage: ImageScores[] = []
  let lossSum = 0
  let pixels = 0
  const cut = logitThreshold(options.threshold)
  const byId = new Map(samples.map((s) => [s.id, s]))
  for await (const batch of batches(samples, cache, {
    batchSize: options.batchSize,
    ...(options.preprocess === undefined ? {} : { preprocess: options.preprocess }),
  })) {
    const side = batch.size
    const { logits, loss } = tf.tidy(() => {
      const x = tf.tensor4d(batch.images, [batch.count, side, side, 3])
      const y = tf.tensor4d(batch.masks, [batch.count, side, side, 1])
      const z = model.predictLogits(x)
      return { logits: z.dataSync() as Float32Array, loss: bceWithLogits(z, y).dataSync()[0] as number }
    })
    lossSum += loss * batch.count * side * side
    pixels += batch.count * side * side
    for (let i = 0; i < batch.count; i += 1) {
      const offset = i * side * side
      const predicted = new Uint8Array(side * side)
      for (let p = 0; p < predicted.length; p += 1) predicted[p] = (logits[offset + p] as number) > cut ? 1 : 0
      const truth = batch.masks.subarray(offset, offset + side * side)
      const overlap = overlapScores(countMasks(predicted, truth))
      const id = batch.ids[i] as string
      perImage.push({
        id,
        md5: byId.get(id)?.md5 ?? '',
        ...overlap,
        hausdorff: options.hausdorff === true ? hausdorffDistance(predicted, truth, side, side) : Number.NaN,
      })
    }
  }
  return { aggregate: aggregateScores(perImage), perImage, loss: pixels === 0 ? Number.NaN : lossSum / pixels }
}
