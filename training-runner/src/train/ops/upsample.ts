import * as tf from '@tensorflow/tfjs'
import { hasFusedKernel } from './bn-relu.js'

/**
 * 2× bilinear upsampling with half-pixel centres (see `upsample-math.ts`), NHWC. Uses the fused kernel where the
 * backend has one (wasm), otherwise the same stencil composed of slices, so every backend differentiates it
 * correctly.
 */

export const UPSAMPLE_2X = 'WmsUpsample2x'
export const UPSAMPLE_2X_GRAD = 'WmsUpsample2xGrad'

export function upsample2x(x: tf.Tensor4D): tf.Tensor4D {
  if (hasFusedKernel(UPSAMPLE_2X)) {
    registerUpsampleGradient()
    return tf.engine().runKernel<tf.Tensor4D>(UPSAMPLE_2X, { x }, {})
  }
  return tf.tidy(() => upsampleAxisComposite(upsampleAxisComposite(x, 2), 1))
}

/** The stencil along axis 1 (H) or 2 (W) from ordinary ops: interleave ¾·x + ¼·(previous | next). */
function upsampleAxisComposite(x: tf.Tensor4D, axis: 1 | 2): tf.Tensor4D {
  const length = x.shape[axis]
  const sliceAxis = (start: number, count: number): tf.Tensor4D => {
    const begin = [0, 0, 0, 0]
    const extent = [...x.shape] as number[]
    begin[axis] = start
    extent[axis] = count
    return tf.slice(x, begin, extent)
  }
  const first = sliceAxis(0, 1)
  const last = sliceAxis(length - 1, 1)
  const previous = length > 1 ? tf.concat([first, sliceAxis(0, length - 1)], axis) : first
  const next = length > 1 ? tf.concat([sliceAxis(1, length - 1), last], axis) : last
  const centre = tf.mul(x, 0.75)
  const even = tf.add(centre, tf.mul(previous, 0.25))
  const odd = tf.add(centre, tf.mul(next, 0.25))
  const shape = [...x.shape] as [number, number, number, number]
  shape[axis] = 2 * length
  return tf.reshape(tf.stack([even, odd], axis + 1), shape)
}

let gradientRegistered = false

function registerUpsampleGradient(): void {
  if (gradientRegistered) return
  gradientRegistered = true
  if ((tf.getGradient(UPSAMPLE_2X) as tf.GradConfig | undefined) !== undefined) return
  tf.registerGradient({
    kernelName: UPSAMPLE_2X,
    gradFunc: (dy) => {
      const d = (Array.isArray(dy) ? dy[0] : dy) as tf.Tensor
      return { x: () => tf.engine().runKernel<tf.Tensor>(UPSAMPLE_2X_GRAD, { dy: d }, {}) }
    },
  })
}
