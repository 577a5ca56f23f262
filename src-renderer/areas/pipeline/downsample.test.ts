import { describe, expect, it } from 'vitest'
import type { CurvePoint } from '@wms/shared/pipeline/timeline'
import { downsampleMinMax } from './downsample.js'

const LOSS_KEYS = ['trainLoss', 'valLoss'] as const

/** A noisy, falling loss curve with one short spike and one short dip, as long training logs look. */
function curve(length: number): CurvePoint[] {
  return Array.from({ length }, (_, index) => {
    const epoch = index + 1
    const noise = Math.sin(epoch * 12.9898) * 0.01
    const trainLoss = epoch === 3217 ? 2.5 : 0.7 / Math.sqrt(epoch) + noise
    const valLoss = epoch === 1234 ? 0.0001 : 0.8 / Math.sqrt(epoch) - noise
    return { epoch, trainLoss, valLoss, trainDice: 1 - trainLoss, valDice: epoch % 7 === 0 ? null : 0.9 - valLoss }
  })
}

function extremeEpochs(points: readonly CurvePoint[], key: keyof CurvePoint): [number, number] {
  const valued = points.filter((point) => point[key] !== null)
  const by = (sign: number) =>
    valued.reduce((best, point) => (sign * (point[key] as number) > sign * (best[key] as number) ? point : best))
  return [by(-1).epoch, by(1).epoch]
}

describe('downsampleMinMax', () => {
  it('draws at most the budget and keeps the first and last epochs and every series’ minimum and maximum', () => {
    const points = curve(5000)
    const drawn = downsampleMinMax(points, LOSS_KEYS, 300)
    expect(drawn.length).toBeLessThanOrEqual(300)
    expect(drawn.length).toBeGreaterThan(150)
    expect([drawn[0]?.epoch, drawn.at(-1)?.epoch]).toEqual([1, 5000])
    const epochs = new Set(drawn.map((point) => point.epoch))
    for (const key of LOSS_KEYS) for (const epoch of extremeEpochs(points, key)) expect(epochs).toContain(epoch)
    // The spike (train loss, epoch 3217) and the dip (validation loss, epoch 1234) that an even spread would skip.
    expect(epochs).toContain(3217)
    expect(epochs).toContain(1234)
  })

  it('keeps the minimum and maximum of every bucket, so the drawn envelope matches the full curve', () => {
    const points = curve(4900)
    const drawn = downsampleMinMax(points, ['trainDice', 'valDice'], 400)
    const chosen = new Set(drawn)
    expect(drawn.every((point) => points.includes(point))).toBe(true)
    for (const key of ['trainDice', 'valDice'] as const) {
      const [low, high] = extremeEpochs(points, key)
      expect(drawn.some((point) => point.epoch === low)).toBe(true)
      expect(drawn.some((point) => point.epoch === high)).toBe(true)
    }
    expect(chosen.size).toBe(drawn.length)
  })

  it('keeps the points in order, each once', () => {
    const drawn = downsampleMinMax(curve(2000), LOSS_KEYS, 250)
    const epochs = drawn.map((point) => point.epoch)
    expect(epochs).toEqual([...new Set(epochs)].sort((a, b) => a - b))
  })

  it('returns every point when they fit', () => {
    const points = curve(300)
    expect(downsampleMinMax(points, LOSS_KEYS, 300)).toEqual(points)
    expect(downsampleMinMax([], LOSS_KEYS, 300)).toEqual([])
  })

  it('skips missing values (a run without a validation split) and still keeps the ends', () => {
    const points = curve(1000).map((point) => ({ ...point, valLoss: null, valDice: null }))
    const drawn = downsampleMinMax(points, LOSS_KEYS, 100)
    expect(drawn.length).toBeLessThanOrEqual(100)
    expect([drawn[0]?.epoch, drawn.at(-1)?.epoch]).toEqual([1, 1000])
    expect(drawn.map((point) => point.epoch)).toContain(extremeEpochs(points, 'trainLoss')[0])
  })

  it('keeps only the ends when the budget leaves no room for a bucket', () => {
    const drawn = downsampleMinMax(curve(50), LOSS_KEYS, 4)
    expect(drawn.map((point) => point.epoch)).toEqual([1, 50])
  })
})
