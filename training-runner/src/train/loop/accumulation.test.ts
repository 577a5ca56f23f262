import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/select-backend.js'
import type { Batch } from '../data/batches.js'
import { LOSS, maxDifference, TINY, tinyBatch } from '../../../test/helpers/tiny-unet.js'
import { readModelValues } from '../model/model-files.js'
import { createUnet, initialValues } from '../model/unet.js'
import { Adam } from '../ops/adam.js'
import { trainingLoss } from '../ops/losses.js'
import { runningStatNames } from './gradients.js'
import { createTrainStep } from './train-step.js'

/** Gradients and updated running statistics of one slice of the batch, on a fresh model with the given weights. */
function independentGradients(
  values: ReadonlyMap<string, Float32Array>,
  batch: Batch,
  start: number,
  end: number,
): { grads: Map<string, Float32Array>; stats: Map<string, Float32Array> } {
  const model = createUnet(TINY, { values })
  const pixels = batch.size * batch.size
  const n = end - start
  const result = new Map<string, Float32Array>()
  tf.tidy(() => {
    const x = tf.tensor4d(batch.images.slice(start * pixels * 3, end * pixels * 3), [n, batch.size, batch.size, 3])
    const y = tf.tensor4d(batch.masks.slice(start * pixels, end * pixels), [n, batch.size, batch.size, 1])
    const { grads } = tf.variableGrads(
      () => trainingLoss(model.trainForward(x), y, LOSS),
      [...model.trainable.values()],
    )
    for (const [name, v] of model.trainable) result.set(name, grads[v.name]?.dataSync() as Float32Array)
  })
  const stats = new Map(
    runningStatNames(model).map((name) => [name, model.variables.get(name)?.dataSync() as Float32Array]),
  )
  model.dispose()
  return { grads: result, stats }
}

describe('micro-batch gradient accumulation (issue 18)', () => {
  beforeAll(async () => {
    await selectBackend('wasm')
  })

  it('with micro-batches ≥ the batch, is exactly the plain full-batch step', async () => {
    const values = initialValues(TINY, 5)
    const batch = tinyBatch(4)
    const ours = createUnet(TINY, { values })
    const ourAdam = new Adam(ours.trainable, { learningRate: 1e-3, weightDecay: 1e-4 })
    await createTrainStep(ours, ourAdam, { loss: LOSS, threshold: 0.5, microBatchSize: 4 })(batch)

    const plain = createUnet(TINY, { values })
    const plainAdam = new Adam(plain.trainable, { learningRate: 1e-3, weightDecay: 1e-4 })
    tf.tidy(() => {
      const x = tf.tensor4d(batch.images, [4, 16, 16, 3])
      const y = tf.tensor4d(batch.masks, [4, 16, 16, 1])
      const { grads } = tf.variableGrads(
        () => trainingLoss(plain.trainForward(x), y, LOSS),
        [...plain.trainable.values()],
      )
      const named: Record<string, tf.Tensor> = {}
      for (const [name, v] of plain.trainable) named[name] = grads[v.name] as tf.Tensor
      plainAdam.apply(named)
    })
    expect(maxDifference(readModelValues(ours), readModelValues(plain))).toBe(0)
    for (const d of [ours, plain]) d.dispose()
    for (const a of [ourAdam, plainAdam]) a.dispose()
  })

  it('equals the mean of the micro-batches’ independently computed gradients, and leaks no tensors', async () => {
    const values = initialValues(TINY, 6)
    const batch = tinyBatch(4, 2)
    const model = createUnet(TINY, { values })
    const adam = new Adam(model.trainable, { learningRate: 1e-3, weightDecay: 1e-4 })
    const step = createTrainStep(model, adam, { loss: LOSS, threshold: 0.5, microBatchSize: 2 })
    const before = tf.memory().numTensors
    const result = await step(batch)
    expect(tf.memory().numTensors).toBe(before)
    expect(result.dice).toHaveLength(4)

    // The reference: each half on its own fresh copy of the model, gradients and statistics averaged, one update.
    const halves = [independentGradients(values, batch, 0, 2), independentGradients(values, batch, 2, 4)]
    const reference = createUnet(TINY, { values })
    const referenceAdam = new Adam(reference.trainable, { learningRate: 1e-3, weightDecay: 1e-4 })
    tf.tidy(() => {
      const named: Record<string, tf.Tensor> = {}
      for (const [name, v] of reference.trainable) {
        const mean = halves.map((h) => h.grads.get(name) as Float32Array)
        named[name] = tf.tensor(mean[0]?.map((g, i) => (g + (mean[1]?.[i] ?? 0)) / 2) ?? [], v.shape)
      }
      referenceAdam.apply(named)
      for (const name of runningStatNames(reference)) {
        const [a, b] = halves.map((h) => h.stats.get(name) as Float32Array)
        reference.variables.get(name)?.assign(tf.tensor((a as Float32Array).map((s, i) => (s + (b?.[i] ?? 0)) / 2)))
      }
    })
    expect(maxDifference(readModelValues(model), readModelValues(reference))).toBeLessThan(1e-6)
    for (const d of [model, reference]) d.dispose()
    for (const a of [adam, referenceAdam]) a.dispose()
  })
})
