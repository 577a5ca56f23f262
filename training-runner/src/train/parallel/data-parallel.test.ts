import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOSS, TINY, tinyBatch } from '../../../test/helpers/tiny-unet.js'
import { selectBackend } from '../backend/select-backend.js'
import { createTrainStep } from '../loop/train-step.js'
import { readModelValues } from '../model/model-files.js'
import { createUnet, initialValues } from '../model/unet.js'
import { Adam } from '../ops/adam.js'
import { startDataParallel, type DataParallel } from './data-parallel.js'
import { digestValues, sharedLayout } from './shared-layout.js'

describe('data-parallel training across worker threads (issue 18)', () => {
  const gradient = { loss: LOSS, threshold: 0.5, microBatchSize: null }
  let parallel: DataParallel
  // One pool for both tests: starting a worker (its wasm instance; from source, tsx too) is the slow part.
  beforeAll(async () => {
    await selectBackend('wasm')
    parallel = await startDataParallel({ workers: 2, unet: TINY, gradient })
    expect(parallel.threadsPerWorker).toEqual([1, 1])
  }, 180_000)
  afterAll(async () => {
    await parallel.close()
  })

  it('keeps every replica bit-identical after each step, and equals one process accumulating the same shards', async () => {
    const values = initialValues(TINY, 9)
    const model = createUnet(TINY, { values })
    const adam = new Adam(model.trainable, { learningRate: 1e-3, weightDecay: 1e-4 })
    // The same batches in one process, in micro-batches the size of the workers' shards.
    const single = createUnet(TINY, { values })
    const singleAdam = new Adam(single.trainable, { learningRate: 1e-3, weightDecay: 1e-4 })
    const singleStep = createTrainStep(single, singleAdam, { ...gradient, microBatchSize: 2 })
    const layout = sharedLayout(TINY)
    try {
      const losses: number[] = []
      for (let step = 0; step < 3; step += 1) {
        const batch = tinyBatch(4, step + 1)
        const result = await parallel.step(model, adam, batch)
        const reference = await singleStep(batch)
        losses.push(result.loss)
        expect(result.loss).toBe(reference.loss)
        expect(result.dice).toEqual(reference.dice)
        // Both workers and the main model hold the same bytes, and so does the single-process run.
        const digests = await parallel.digests(model)
        expect(new Set(digests).size, `step ${String(step + 1)}: ${digests.join(' ')}`).toBe(1)
        expect(digests[0]).toBe(digestValues(layout, readModelValues(single)))
      }
      expect(new Set(losses).size).toBe(3)
    } finally {
      for (const m of [model, single]) m.dispose()
      for (const a of [adam, singleAdam]) a.dispose()
    }
  })

  it('splits an odd batch unevenly and still matches, and a failing worker fails the step with the reason', async () => {
    const values = initialValues(TINY, 10)
    const model = createUnet(TINY, { values })
    const adam = new Adam(model.trainable, { learningRate: 1e-3, weightDecay: 0 })
    try {
      const result = await parallel.step(model, adam, tinyBatch(3))
      expect(result.dice).toHaveLength(3)
      const digests = await parallel.digests(model)
      expect(new Set(digests).size).toBe(1)
      // 15² is not divisible by the U-Net's 4: the workers' forward pass throws, and the step says so.
      const bad = {
        ...tinyBatch(2),
        size: 15,
        images: new Float32Array(2 * 15 * 15 * 3),
        masks: new Float32Array(2 * 15 * 15),
      }
      await expect(parallel.step(model, adam, bad)).rejects.toThrow(/A training worker failed: .*not divisible/)
    } finally {
      model.dispose()
      adam.dispose()
    }
  })
})

describe('data-parallel workers on the threaded wasm build (issue 18)', () => {
  it('gives each worker a pool of threads and still matches one process bit for bit', async () => {
    await selectBackend('wasm')
    const gradient = { loss: LOSS, threshold: 0.5, microBatchSize: null }
    const parallel = await startDataParallel({ workers: 2, unet: TINY, gradient, threadsPerWorker: 2 })
    expect(parallel.threadsPerWorker).toEqual([2, 2])
    const values = initialValues(TINY, 11)
    const model = createUnet(TINY, { values })
    const adam = new Adam(model.trainable, { learningRate: 1e-3, weightDecay: 1e-4 })
    const single = createUnet(TINY, { values })
    const singleAdam = new Adam(single.trainable, { learningRate: 1e-3, weightDecay: 1e-4 })
    try {
      const batch = tinyBatch(4, 5)
      const result = await parallel.step(model, adam, batch)
      const reference = await createTrainStep(single, singleAdam, { ...gradient, microBatchSize: 2 })(batch)
      expect(result.loss).toBe(reference.loss)
      const digests = await parallel.digests(model)
      expect(new Set(digests).size).toBe(1)
      expect(digests[0]).toBe(digestValues(sharedLayout(TINY), readModelValues(single)))
    } finally {
      await parallel.close()
      for (const m of [model, single]) m.dispose()
      for (const a of [adam, singleAdam]) a.dispose()
    }
  }, 180_000)
})
