import * as tf from '@tensorflow/tfjs'
import { hasFusedKernel } from './bn-relu.js'

/**
 * Concatenation of two NHWC tensors along channels (the decoder's `[upsampled, skip]`). On wasm a fused kernel
 * copies each pixel's two channel runs with `memory.copy`, and its gradient splits them back the same way; tfjs's
 * own Concat and SplitV slice per pixel in JS. Elsewhere it is `tf.concat`.
 */

export const CONCAT_CHANNELS = 'WmsConcatChannels'
export const SPLIT_CHANNELS = 'WmsSplitChannels'

export function concatChannels(a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D {
  if (hasFusedKernel(CONCAT_CHANNELS)) {
    registerConcatGradient()
    return tf.engine().runKernel<tf.Tensor4D>(CONCAT_CHANNELS, { a, b }, {})
  }
  return tf.concat([a, b], 3)
}

let gradientRegistered = false

function registerConcatGradient(): void {
  if (gradientRegistered) return
  gradientRegistered = true
  if ((tf.getGradient(CONCAT_CHANNELS) as tf.GradConfig | undefined) !== undefined) return
  tf.registerGradient({
    kernelName: CONCAT_CHANNELS,
    inputsToSave: ['a'],
    gradFunc: (dy, saved) => {
      const d = Array.isArray(dy) ? dy[0] : dy
      const [a] = saved
      if (d === undefined || a === undefined) throw new Error(`${CONCAT_CHANNELS} gradient: missing inputs`)
      const channels = a.shape[3] ?? 0
      const [da, db] = tf.engine().runKernel<[tf.Tensor, tf.Tensor]>(SPLIT_CHANNELS, { x: d }, { channels })
      return { a: () => da, b: () => db }
    },
  })
}
