import { describe, expect, it } from 'vitest'
import { TrainingConfigSchema } from '@wms/shared/config/training-config'
import type { BackendChoice } from '../backend/select-backend.js'
import { estimateTrainingBytes, WASM_HEAP_BUDGET_BYTES } from '../loop/memory-guard.js'
import { microBatchFor, threadsPerWorker, workerCount } from './training-step.js'

const wasm: BackendChoice = { name: 'wasm', candidate: 'wasm', skipped: [], fusedKernels: true }
const native: BackendChoice = { name: 'tensorflow', candidate: 'tensorflow-gpu', skipped: [], fusedKernels: false }

describe('training plan: workers and micro-batches (issue 18)', () => {
  it('uses one wasm worker per core (at most the batch) from 128², and none on the native backends', () => {
    const config = TrainingConfigSchema.parse({})
    expect(workerCount(config, wasm, 2)).toBe(2)
    expect(workerCount(config, wasm, 16)).toBe(4)
    expect(workerCount({ ...config, workers: 3 }, wasm, 2)).toBe(3)
    expect(workerCount(config, native, 16)).toBe(1)
    // small inputs: a step is too short to pay for the workers under auto (an explicit count is obeyed)
    expect(workerCount({ ...config, imageSize: 64 }, wasm, 2)).toBe(1)
    expect(workerCount({ ...config, imageSize: 64, workers: 2 }, wasm, 2)).toBe(2)
  })

  it('accumulates 512² batch 4 in passes that fit the wasm heap instead of running out of memory', () => {
    const config = TrainingConfigSchema.parse({ imageSize: 512, batchSize: 4 })
    expect(estimateTrainingBytes(4, 512)).toBeGreaterThan(WASM_HEAP_BUDGET_BYTES)
    for (const workers of [1, 2]) {
      const micro = microBatchFor(config, wasm, workers)
      expect(micro).toBeGreaterThanOrEqual(1)
      expect(estimateTrainingBytes(micro, 512)).toBeLessThanOrEqual(WASM_HEAP_BUDGET_BYTES)
    }
    // at 128² the whole shard fits: no accumulation
    expect(microBatchFor(TrainingConfigSchema.parse({}), wasm, 1)).toBe(4)
    expect(microBatchFor(TrainingConfigSchema.parse({ microBatchSize: 1 }), wasm, 2)).toBe(1)
    expect(microBatchFor(config, native, 1)).toBe(4)
  })

  it('runs 1 thread per worker unless WMS_WASM_THREADS=auto (the cores the workers leave over) or a number', () => {
    expect(threadsPerWorker(2, {}, 2)).toBe(1)
    expect(threadsPerWorker(4, {}, 16)).toBe(1)
    expect(threadsPerWorker(4, { WMS_WASM_THREADS: 'auto' }, 16)).toBe(4)
    expect(threadsPerWorker(3, { WMS_WASM_THREADS: 'auto' }, 8)).toBe(2)
    expect(threadsPerWorker(2, { WMS_WASM_THREADS: 'auto' }, 2)).toBe(1)
    expect(threadsPerWorker(4, { WMS_WASM_THREADS: '1' }, 16)).toBe(1)
    expect(threadsPerWorker(2, { WMS_WASM_THREADS: '3' }, 2)).toBe(3)
  })
})
