import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { LOSS } from '../../../../test/helpers/tiny-unet.js'
import { shardGradients } from '../../loop/gradients.js'
import { createUnet, initialValues, type UnetConfig } from '../../model/unet.js'
import { registerWasmTrainingKernels } from './register-wasm-kernels.js'
import { simdKernels } from './simd/simd-kernels.js'
import { activateThreadedWasm, wasmThreads } from './threaded-wasm.js'
import { asWasmBackend } from './wasm-internals.js'

// Large enough that XNNPACK splits the convolutions into several tiles per thread.
const CONFIG: UnetConfig = { inChannels: 3, baseFilters: 8, outChannels: 1, depth: 2 }
const SIDE = 32

/** One shard's gradients and running statistics on the active backend, as plain arrays. */
function gradientsOnActiveBackend(): Float32Array[] {
  registerWasmTrainingKernels()
  const model = createUnet(CONFIG, { values: initialValues(CONFIG, 3) })
  try {
    const count = 2
    const images = Float32Array.from({ length: count * SIDE * SIDE * 3 }, (_, i) => ((i * 7919) % 1000) / 1000)
    const masks = Float32Array.from({ length: count * SIDE * SIDE }, (_, i) => (i % 13 === 0 ? 1 : 0))
    const result = shardGradients(model, { images, masks, count, side: SIDE }, count, {
      loss: LOSS,
      threshold: 0.5,
      microBatchSize: null,
    })
    return [...result.grads, ...result.stats]
  } finally {
    model.dispose()
  }
}

describe("tfjs-backend-wasm's threaded build in Node (issue 18)", () => {
  it('runs the training kernels on a pool of threads, with the same bits as one thread', async () => {
    await activateThreadedWasm(1)
    expect(wasmThreads()).toBe(1)
    const one = gradientsOnActiveBackend()

    await activateThreadedWasm(2)
    expect(tf.getBackend()).toBe('wasm')
    expect(wasmThreads()).toBe(2)
    // The SIMD training kernels link to the threaded build's shared memory (not the JS fallbacks).
    expect(simdKernels(asWasmBackend(tf.backend()))).not.toBeNull()
    const two = gradientsOnActiveBackend()

    expect(two).toHaveLength(one.length)
    two.forEach((values, i) => {
      expect(
        Buffer.from(values.buffer, values.byteOffset, values.byteLength).equals(
          Buffer.from(one[i]!.buffer, one[i]!.byteOffset, one[i]!.byteLength),
        ),
        `array ${String(i)}`,
      ).toBe(true)
    })
    expect(one.some((values) => values.some((v) => v !== 0))).toBe(true)
  }, 120_000)
})
