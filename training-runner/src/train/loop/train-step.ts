import * as tf from '@tensorflow/tfjs'
import { countMasks, overlapScores } from '@wms/shared/metrics/segmentation'
import type { Batch } from '../data/batches.js'
import { logitThreshold } from '../evaluate-samples.js'
import type { Unet } from '../model/unet.js'
import type { Adam } from '../ops/adam.js'
import { bceWithLogits } from '../ops/bce-loss.js'

/** One step's loss and the batch's per-image training Dice and IoU (from the same forward pass). */
export interface StepResult {
  loss: number
  dice: number[]
  iou: number[]
}

/**
 * The training step: forward in training mode, BCE with logits, gradients of every trainable variable, one Adam
 * update — all inside one `tf.tidy`, so nothing outlives the step (the smoke test asserts the tensor count).
 */
export function createTrainStep(model: Unet, adam: Adam, threshold: number): (batch: Batch) => StepResult {
  const trainable = [...model.trainable]
  const nameOf = new Map(trainable.map(([name, v]) => [v.name, name]))
  const cut = logitThreshold(threshold)
  return (batch) => {
    const side = batch.size
    let logits: Float32Array = new Float32Array(0)
    const loss = tf.tidy(() => {
      const x = tf.tensor4d(batch.images, [batch.count, side, side, 3])
      const y = tf.tensor4d(batch.masks, [batch.count, side, side, 1])
      const { value, grads } = tf.variableGrads(
        () => {
          const z = model.trainForward(x)
          logits = z.dataSync() as Float32Array
          return bceWithLogits(z, y)
        },
        trainable.map(([, v]) => v),
      )
      const named: Record<string, tf.Tensor> = {}
      for (const [tfName, grad] of Object.entries(grads)) named[nameOf.get(tfName) ?? tfName] = grad
      adam.apply(named)
      return value.dataSync()[0] as number
    })
    const dice: number[] = []
    const iou: number[] = []
    for (let i = 0; i < batch.count; i += 1) {
      const off = i * side * side
      const predicted = new Uint8Array(side * side)
      for (let p = 0; p < predicted.length; p += 1) predicted[p] = (logits[off + p] as number) > cut ? 1 : 0
      const s = overlapScores(countMasks(predicted, batch.masks.subarray(off, off + side * side)))
      dice.push(s.dice)
      iou.push(s.iou)
    }
    return { loss, dice, iou }
  }
}
