import * as tf from '@tensorflow/tfjs'
import {
  aggregateScores,
  countMasks,
  hausdorffDistance,
  overlapScores,
  type AggregateScores,
  type MaskScores,
} from '@wms/shared/metrics/segmentation'
import path from 'node:path'
import { batches, type PairCache, type Sample } from './data/batches.js'
import { decodeMaskAtOwnSize } from './data/decode.js'
import type { PreprocessOptions } from './data/preprocess.js'
import type { Unet } from './model/unet.js'
import { bceWithLogits } from './ops/bce-loss.js'
import { probabilitiesToMask } from './predict.js'

/** One image's scores, named by its pair. */
export interface ImageScores extends MaskScores {
  id: string
  md5: string
}

/** One image scored at its own size: the predicted mask resized onto the original mask (what a user sees). */
export interface NativeImageScores {
  id: string
  md5: string
  dice: number
  iou: number
  accuracy: number
  width: number
  height: number
}

/** Scores at each photo's own resolution, next to the training-resolution ones (issue 18). */
export interface NativeScores {
  aggregate: { count: number; dice: number; iou: number; accuracy: number }
  perImage: NativeImageScores[]
}

/** Scores of a set of images. */
export interface EvaluationScores {
  /** At the model's input size (what training optimises; what the gate compares). */
  aggregate: AggregateScores
  perImage: ImageScores[]
  /** Mean BCE-with-logits loss over pixels (inference mode). */
  loss: number
  /** At each photo's own size, when asked for (`nativeRoot`). */
  native?: NativeScores
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
  options: {
    batchSize: number
    threshold: number
    hausdorff?: boolean
    preprocess?: PreprocessOptions
    /** Dataset folder: also score each prediction at its original mask's size. */
    nativeRoot?: string
  },
): Promise<EvaluationScores> {
  const perImage: ImageScores[] = []
  const native: NativeImageScores[] = []
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
      const sample = byId.get(id)
      if (options.nativeRoot !== undefined && sample !== undefined) {
        const image = logits.subarray(offset, offset + side * side)
        native.push(
          await scoreAtOwnSize(image, side, path.join(options.nativeRoot, sample.mask), options.threshold, sample),
        )
      }
    }
  }
  return {
    aggregate: aggregateScores(perImage),
    perImage,
    loss: pixels === 0 ? Number.NaN : lossSum / pixels,
    ...(options.nativeRoot === undefined ? {} : { native: { aggregate: meanNative(native), perImage: native } }),
  }
}

/**
 * One prediction scored the way `predict` delivers it: the probability map resized bilinearly onto the original
 * mask's size, then thresholded (`probabilitiesToMask`), against the mask decoded at its own size.
 */
async function scoreAtOwnSize(
  logits: Float32Array,
  side: number,
  maskFile: string,
  threshold: number,
  sample: Sample,
): Promise<NativeImageScores> {
  const truth = await decodeMaskAtOwnSize(maskFile)
  const probabilities = logits.map((z) => 1 / (1 + Math.exp(-z)))
  const { mask } = await probabilitiesToMask(probabilities, side, truth.width, truth.height, threshold)
  const scores = overlapScores(countMasks(mask, truth.mask))
  return { id: sample.id, md5: sample.md5, ...scores, width: truth.width, height: truth.height }
}

function meanNative(images: readonly NativeImageScores[]): NativeScores['aggregate'] {
  const mean = (pick: (s: NativeImageScores) => number): number =>
    images.length === 0 ? Number.NaN : images.reduce((sum, s) => sum + pick(s), 0) / images.length
  return { count: images.length, dice: mean((s) => s.dice), iou: mean((s) => s.iou), accuracy: mean((s) => s.accuracy) }
}
