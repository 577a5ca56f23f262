import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { beforeAll, describe, expect, it } from 'vitest'
import { createPrng } from '@wms/shared/util/prng'
import { Adam } from '../../ops/adam.js'
import { batchNormRelu } from '../../ops/bn-relu.js'
import { concatChannels } from '../../ops/concat-channels.js'
import { upsample2x } from '../../ops/upsample.js'
import { registerWasmTrainingKernels } from './register-wasm-kernels.js'

/**
 * Every kernel this project adds to the wasm backend, checked against the stock cpu backend (conv gradients) or
 * the composite ops on cpu (fused BatchNorm+ReLU, upsampling, Adam): forward values and gradients, relative L2
 * error. Small shapes, about a second in all.
 */

type Arrays = Float32Array[]

function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0
  let norm = 0
  for (let i = 0; i < a.length; i += 1) {
    diff += ((a[i] as number) - (b[i] as number)) ** 2
    norm += (b[i] as number) ** 2
  }
  return Math.sqrt(diff / Math.max(norm, 1e-30))
}

function random(shape: number[], seed: number, low = -1, high = 1): Float32Array {
  const prng = createPrng(seed)
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => prng.uniform(low, high))
}

/** Runs `f` on cpu and on wasm and returns both results as arrays. */
async function onBoth(f: () => tf.Tensor[]): Promise<{ cpu: Arrays; wasm: Arrays }> {
  const run = async (backend: string): Promise<Arrays> => {
    await tf.setBackend(backend)
    return tf.tidy(f).map((t) => {
      const data = t.dataSync() as Float32Array
      t.dispose()
      return data
    })
  }
  return { cpu: await run('cpu'), wasm: await run('wasm') }
}

function expectClose(result: { cpu: Arrays; wasm: Arrays }, tolerance = 1e-5): void {
  expect(result.wasm.length).toBe(result.cpu.length)
  result.cpu.forEach((reference, i) => {
    expect(relativeError(result.wasm[i] as Float32Array, reference), `output ${String(i)}`).toBeLessThan(tolerance)
  })
}

describe('wasm training kernels (vs the cpu backend)', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels()
    expect(await tf.setBackend('wasm')).toBe(true)
  })

  it.each([
    // batch, height, width, in, out, kernel, padding — the U-Net's shapes in small, plus odd ones
    [2, 16, 16, 3, 16, 3, 'same'],
    [2, 8, 8, 48, 16, 3, 'same'],
    [2, 4, 4, 32, 64, 3, 'same'],
    [1, 9, 7, 5, 6, 3, 'same'],
    [2, 8, 8, 16, 1, 1, 'same'],
    [1, 8, 6, 4, 3, 3, 'valid'],
    [2, 8, 8, 4, 3, 5, 'same'],
  ] as const)(
    'conv gradients: batch %i, %i×%i×%i → %i channels, kernel %i, %s padding',
    async (n, h, w, ci, co, k, pad) => {
      const x = random([n, h, w, ci], 1)
      const filter = random([k, k, ci, co], 2)
      const result = await onBoth(() => {
        const xt = tf.tensor4d(x, [n, h, w, ci])
        const ft = tf.tensor4d(filter, [k, k, ci, co])
        const out = tf.conv2d(xt, ft, 1, pad)
        const dy = tf.tensor(random(out.shape, 3), out.shape)
        const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, pad), dy)),
        )([xt, ft])
        return [out, ...grads]
      })
      expectClose(result, 2e-6)
    },
  )

  it('fused BatchNorm + ReLU: outputs, statistics and all four gradients', async () => {
    for (const channels of [16, 6]) {
      const shape = [3, 5, 7, channels]
      const x = random(shape, 4, -2, 3)
      const params = [random([channels], 5), random([channels], 6, 0.5, 1.5), random([channels], 7)]
      const result = await onBoth(() => {
        const [xt, bias, gamma, beta] = [
          tf.tensor4d(x, shape as [number, number, number, number]),
          ...params.map((p) => tf.tensor1d(p)),
        ] as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D]
        const dy = tf.tensor(random(shape, 8), shape)
        const forward = batchNormRelu(xt, bias, gamma, beta)
        const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, g: tf.Tensor, c: tf.Tensor) =>
          tf.sum(tf.mul(batchNormRelu(a as tf.Tensor4D, b as tf.Tensor1D, g as tf.Tensor1D, c as tf.Tensor1D).y, dy)),
        )([xt, bias, gamma, beta])
        // The bias gradient is analytically zero; compare it on an absolute scale below.
        return [
          forward.y,
          forward.mean,
          forward.variance,
          ...grads.slice(0, 1),
          ...grads.slice(2),
          grads[1] as tf.Tensor,
        ]
      })
      const biasGradCpu = result.cpu.pop() as Float32Array
      const biasGradWasm = result.wasm.pop() as Float32Array
      expectClose(result, 1e-5)
      for (const value of [...biasGradCpu, ...biasGradWasm]) expect(Math.abs(value)).toBeLessThan(1e-4)
    }
  })

  it('2× half-pixel upsampling: forward and gradient', async () => {
    for (const channels of [8, 3]) {
      const shape: [number, number, number, number] = [2, 5, 4, channels]
      const x = random(shape, 9)
      const result = await onBoth(() => {
        const xt = tf.tensor4d(x, shape)
        const dy = tf.tensor(random([2, 10, 8, channels], 10), [2, 10, 8, channels])
        const [grad] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(upsample2x(a as tf.Tensor4D), dy)))([xt])
        return [upsample2x(xt), grad as tf.Tensor, tf.image.resizeBilinear(xt, [10, 8], false, true)]
      })
      expectClose(result, 1e-6)
      // and the forward pass is PyTorch's interpolate(align_corners=False), i.e. tfjs's half-pixel resize
      expect(relativeError(result.wasm[0] as Float32Array, result.cpu[2] as Float32Array)).toBeLessThan(1e-6)
    }
  })

  it('2×2 max-pool gradient, ties included (first maximum of the window wins)', async () => {
    // (Shapes the SIMD kernel takes. The stock wasm kernel, used for other shapes, breaks ties differently from
    // the cpu backend and PyTorch, so it is not compared here.)
    for (const [h, w, c] of [
      [6, 8, 8],
      [4, 6, 12],
    ] as const) {
      const shape: [number, number, number, number] = [2, h, w, c]
      // rounded values make ties common, as after a ReLU
      const x = random(shape, 14, -2, 2).map((v) => Math.max(0, Math.round(v)))
      const result = await onBoth(() => {
        const xt = tf.tensor4d(x, shape)
        const pooled = tf.maxPool(xt, 2, 2, 'valid')
        const dy = tf.tensor(random(pooled.shape, 15), pooled.shape)
        const [grad] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), dy)))([xt])
        return [pooled, grad as tf.Tensor]
      })
      expectClose(result, 1e-7)
    }
  })

  it('channel concatenation and its gradient', async () => {
    const shapeA: [number, number, number, number] = [2, 3, 4, 5]
    const shapeB: [number, number, number, number] = [2, 3, 4, 8]
    const [a, b] = [random(shapeA, 16), random(shapeB, 17)]
    const result = await onBoth(() => {
      const [at, bt] = [tf.tensor4d(a, shapeA), tf.tensor4d(b, shapeB)]
      const dy = tf.tensor(random([2, 3, 4, 13], 18), [2, 3, 4, 13])
      const grads = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.mul(concatChannels(x as tf.Tensor4D, y as tf.Tensor4D), dy)),
      )([at, bt])
      return [concatChannels(at, bt), ...grads]
    })
    expectClose(result, 1e-12) // exact copies
  })

  it('fused Adam matches the composite update (PyTorch semantics, coupled weight decay)', async () => {
    for (const size of [12, 7]) {
      const values = [random([size], 11), random([size], 12), random([size], 13)]
      const result = await onBoth(() => {
        const p = tf.variable(tf.tensor1d(values[0] as Float32Array))
        const adam = new Adam(new Map([['p', p]]), { learningRate: 1e-2, weightDecay: 1e-2 })
        adam.apply({ p: tf.tensor1d(values[1] as Float32Array) })
        adam.apply({ p: tf.tensor1d(values[2] as Float32Array) })
        const out = p.clone()
        adam.dispose()
        p.dispose()
        return [out]
      })
      expectClose(result, 1e-6)
    }
  })
})
