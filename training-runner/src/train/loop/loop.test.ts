import { describe, expect, it } from 'vitest'
import { WmsError } from '@wms/shared/errors'
import { assertTrainingFits, largestBatchThatFits } from './memory-guard.js'
import { TrainingConfigSchema } from '@wms/shared/config/training-config'
import { monitoredValue, warmedUp } from './run-epochs.js'
import { initialEarlyStopping, initialPlateau, stepEarlyStopping, stepPlateau } from './schedule.js'

describe('ReduceLROnPlateau (PyTorch semantics)', () => {
  const options = { factor: 0.5, patience: 3, minLearningRate: 1e-6 }

  it('halves the rate after more than `patience` epochs without improvement', () => {
    let state = initialPlateau(1e-4)
    const rates: number[] = []
    for (const loss of [1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8]) {
      state = stepPlateau(state, loss, options)
      rates.push(state.learningRate)
    }
    expect(rates).toEqual([1e-4, 1e-4, 1e-4, 1e-4, 1e-4, 5e-5, 5e-5, 5e-5, 5e-5, 5e-5, 2.5e-5])
  })

  it('needs a relative improvement of 1e-4 and stops at the minimum rate', () => {
    let state = initialPlateau(4e-6)
    for (let i = 0; i < 20; i += 1) state = stepPlateau(state, 1 - i * 1e-6, options)
    expect(state.learningRate).toBe(1e-6)
  })
})

describe('early stopping', () => {
  it('stops after `patience` epochs without a strictly lower loss and remembers the best epoch', () => {
    let state = initialEarlyStopping()
    const stops: boolean[] = []
    const losses = [0.5, 0.4, 0.45, 0.4, 0.41, 0.42, 0.43]
    losses.forEach((loss, i) => {
      const step = stepEarlyStopping(state, i + 1, loss, 5)
      state = step.state
      stops.push(step.stop)
    })
    expect(stops).toEqual([false, false, false, false, false, false, true])
    expect(state.bestEpoch).toBe(2)
  })
})

describe('memory guard (wasm 4 GiB heap)', () => {
  it('accepts the default and refuses what cannot fit, suggesting what does', () => {
    expect(() => assertTrainingFits('wasm', 4, 128)).not.toThrow()
    expect(() => assertTrainingFits('wasm', 4, 256)).not.toThrow()
    expect(() => assertTrainingFits('tensorflow', 64, 1024)).not.toThrow()
    let error: unknown
    try {
      assertTrainingFits('wasm', 16, 512)
    } catch (thrown) {
      error = thrown
    }
    expect(error).toBeInstanceOf(WmsError)
    const wms = error as WmsError
    expect(wms.code).toBe('training/out-of-memory')
    expect(wms.hint).toMatch(/microBatchSize \d+ at this size/)
    const batch = largestBatchThatFits(512)
    expect(batch).toBeGreaterThan(0)
    expect(() => assertTrainingFits('wasm', batch, 512)).not.toThrow()
  })
})

describe('warm-up and the monitored value (issue 18)', () => {
  it('ramps the rate linearly over the warm-up steps, then follows the schedule', () => {
    expect([0, 1, 2, 3, 4, 10].map((step) => warmedUp(1e-3, step, 4))).toEqual([2.5e-4, 5e-4, 7.5e-4, 1e-3, 1e-3, 1e-3])
    expect(warmedUp(1e-3, 0, 0)).toBe(1e-3)
  })

  it('watches 1 − validation Dice by default, the validation loss when asked, else the training loss', () => {
    const val = {
      aggregate: { count: 2, dice: 0.8, iou: 0.7, accuracy: 0.9, hausdorff: 3 },
      perImage: [],
      loss: 0.25,
    }
    const config = TrainingConfigSchema.parse({})
    expect(monitoredValue(config, val, 0.5)).toBeCloseTo(0.2, 12)
    expect(monitoredValue({ ...config, monitor: 'val-loss' }, val, 0.5)).toBe(0.25)
    expect(monitoredValue(config, null, 0.5)).toBe(0.5)
  })
})
