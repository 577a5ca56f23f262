import * as tf from '@tensorflow/tfjs'

/**
 * Batch normalisation (training mode, batch statistics) followed by ReLU — the `conv → BN → ReLU` tail of every
 * U-Net block — as one op.
 *
 * Where a fused kernel is registered for the active backend (the wasm backend, see
 * `backend/wasm/bn-relu-kernels.ts`) it runs as two passes over the data forward and two backward, instead of the
 * dozen element-wise kernels (and the `Tile` in tfjs's own BatchNorm gradient) the composite needs. Elsewhere it
 * is composed of ordinary tfjs ops, which any backend can run and differentiate.
 *
 * `bias` is the preceding convolution's bias: BatchNorm subtracts it again, so it changes only the reported mean
 * (and hence the running mean used at inference), exactly as in PyTorch's `Conv2d(bias=True) → BatchNorm2d`.
 */

export const BN_RELU = 'WmsBatchNormRelu'
export const BN_RELU_GRAD = 'WmsBatchNormReluGrad'

/** PyTorch's BatchNorm2d default. */
export const BN_EPSILON = 1e-5

/** What {@link batchNormRelu} returns: the activation and the batch statistics of `x + bias`. */
export interface BatchNormReluResult {
  y: tf.Tensor4D
  /** Per-channel mean of `x + bias`. */
  mean: tf.Tensor1D
  /** Per-channel biased variance (what the normalisation used). */
  variance: tf.Tensor1D
}

export function batchNormRelu(
  x: tf.Tensor4D,
  bias: tf.Tensor1D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon = BN_EPSILON,
): BatchNormReluResult {
  if (hasFusedKernel(BN_RELU)) {
    registerBatchNormReluGradient()
    const [y, mean, variance] = tf
      .engine()
      .runKernel<[tf.Tensor4D, tf.Tensor1D, tf.Tensor1D]>(BN_RELU, { x, bias, gamma, beta }, { epsilon })
    return { y, mean, variance }
  }
  return tf.tidy(() => {
    const z = tf.add(x, bias)
    const moments = tf.moments(z, [0, 1, 2])
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(moments.variance, epsilon)))
    const y = tf.relu(tf.add(tf.mul(tf.sub(z, moments.mean), scale), beta)) as tf.Tensor4D
    return { y, mean: moments.mean as tf.Tensor1D, variance: moments.variance as tf.Tensor1D }
  })
}

/** True when the active backend has a kernel of this name (the fused fast paths are optional per backend). */
export function hasFusedKernel(kernelName: string): boolean {
  // tfjs types say getKernel always finds one; at run time it returns undefined when none is registered.
  return (tf.getKernel(kernelName, tf.getBackend()) as tf.KernelConfig | undefined) !== undefined
}

let gradientRegistered = false

/** Registers the gradient of the fused kernel (backend-independent; its kernel is backend-specific). */
export function registerBatchNormReluGradient(): void {
  if (gradientRegistered) return
  gradientRegistered = true
  if ((tf.getGradient(BN_RELU) as tf.GradConfig | undefined) !== undefined) return
  tf.registerGradient({
    kernelName: BN_RELU,
    inputsToSave: ['x', 'bias', 'gamma'],
    outputsToSave: [true, true, true],
    gradFunc: (dys, saved, attrs) => {
      const dy = Array.isArray(dys) ? dys[0] : dys
      const [x, bias, gamma, y, mean, variance] = saved
      if (dy === undefined || x === undefined || bias === undefined || gamma === undefined) {
        throw new Error(`${BN_RELU} gradient: missing inputs`)
      }
      if (y === undefined || mean === undefined || variance === undefined) {
        throw new Error(`${BN_RELU} gradient: missing outputs`)
      }
      const [dx, dBias, dGamma, dBeta] = tf
        .engine()
        .runKernel<[tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]>(
          BN_RELU_GRAD,
          { dy, x, bias, gamma, y, mean, variance },
          attrs,
        )
      return { x: () => dx, bias: () => dBias, gamma: () => dGamma, beta: () => dBeta }
    },
  })
}
