import * as tf from '@tensorflow/tfjs'
import { adamWasmConfig } from './adam-kernel.js'
import { bnReluGradWasmConfig, bnReluWasmConfig } from './bn-relu-kernels.js'
import { concatChannelsWasmConfig, splitChannelsWasmConfig } from './concat-kernels.js'
import { conv2DBackpropFilterWasmConfig } from './conv-backprop-filter.js'
import { conv2DBackpropInputWasmConfig } from './conv-backprop-input.js'
import { identityWasmConfig } from './identity-kernel.js'
import { maxPoolGradWasmConfig } from './max-pool-grad-kernel.js'
import { upsampleGradWasmConfig, upsampleWasmConfig } from './upsample-kernels.js'

/** Every kernel this module adds to (or replaces in) tfjs-backend-wasm, for training. */
export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterWasmConfig,
  conv2DBackpropInputWasmConfig,
  bnReluWasmConfig,
  bnReluGradWasmConfig,
  upsampleWasmConfig,
  upsampleGradWasmConfig,
  concatChannelsWasmConfig,
  splitChannelsWasmConfig,
  adamWasmConfig,
  identityWasmConfig,
]

let maxPoolGrad: tf.KernelConfig | undefined

/**
 * Registers the training kernels for the wasm backend (idempotent). Call it at the entry point, before training;
 * model and data code never call it, they only find faster kernels when present.
 */
export function registerWasmTrainingKernels(kernels: readonly tf.KernelConfig[] = WASM_TRAINING_KERNELS): void {
  if (maxPoolGrad === undefined) {
    // Wraps the stock kernel (kept for shapes other than 2×2/2), so capture it before replacing it.
    const stock = tf.getKernel(tf.MaxPoolGrad, 'wasm') as tf.KernelConfig | undefined
    maxPoolGrad = maxPoolGradWasmConfig(stock)
  }
  for (const config of [...kernels, maxPoolGrad]) {
    // tfjs types say getKernel always finds one; at run time it returns undefined when none is registered.
    const existing = tf.getKernel(config.kernelName, 'wasm') as tf.KernelConfig | undefined
    if (existing?.kernelFunc === config.kernelFunc) continue
    if (existing !== undefined) tf.unregisterKernel(config.kernelName, 'wasm')
    tf.registerKernel(config)
  }
}
