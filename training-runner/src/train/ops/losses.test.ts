import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { bceWithLogits } from './bce-loss.js'
import { focalLoss, softDiceLoss, trainingLoss } from './losses.js'

describe('training losses (issue 18)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu')
  })
  // Two 4×4 images: a sparse mask and an empty one; logits that half agree.
  const masks = tf.tensor4d(
    Array.from({ length: 32 }, (_, i) => (i === 5 || i === 6 ? 1 : 0)),
    [2, 4, 4, 1],
  )
  const logits = tf.tensor4d(
    Array.from({ length: 32 }, (_, i) => (i === 5 ? 3 : i === 9 ? 2 : -2 + (i % 3))),
    [2, 4, 4, 1],
  )

  it('soft Dice is ~0 for a confident correct prediction and ~1 when the foreground is missed', () => {
    const perfect = tf.tidy(() => tf.sub(tf.mul(masks, 40), 20))
    expect(softDiceLoss(perfect, masks).dataSync()[0]).toBeLessThan(1e-6)
    const missed = tf.fill([2, 4, 4, 1], -20)
    // Image 1 (2 foreground pixels, none predicted) loses ~1 − 1/3; image 2 (empty, predicted empty) ~0.
    expect(softDiceLoss(missed, masks).dataSync()[0]).toBeCloseTo((1 - 1 / 3) / 2, 5)
  })

  it('is a mean over images, so a batch’s loss is the mean of its halves’ (micro-batches split it exactly)', () => {
    for (const loss of ['bce', 'bce-dice', 'focal-dice'] as const) {
      const options = { loss, diceWeight: 0.7, focalGamma: 2 }
      const whole = trainingLoss(logits, masks, options).dataSync()[0] as number
      const halves = [0, 1].map(
        (i) =>
          trainingLoss(
            tf.slice(logits, [i, 0, 0, 0], [1, 4, 4, 1]),
            tf.slice(masks, [i, 0, 0, 0], [1, 4, 4, 1]),
            options,
          ).dataSync()[0] as number,
      )
      expect(whole).toBeCloseTo(((halves[0] as number) + (halves[1] as number)) / 2, 6)
    }
  })

  it('focal loss with γ = 0 is BCE, and γ > 0 down-weights easy pixels', () => {
    const bce = bceWithLogits(logits, masks).dataSync()[0] as number
    expect(focalLoss(logits, masks, 0).dataSync()[0]).toBeCloseTo(bce, 6)
    expect(focalLoss(logits, masks, 2).dataSync()[0]).toBeLessThan(bce)
  })

  it('has finite gradients that push the missed foreground up', () => {
    const z = tf.variable(tf.fill([1, 4, 4, 1], -20))
    const y = tf.slice(masks, [0, 0, 0, 0], [1, 4, 4, 1])
    for (const loss of ['bce-dice', 'focal-dice'] as const) {
      const { grads } = tf.variableGrads(() => trainingLoss(z, y, { loss, diceWeight: 1, focalGamma: 2 }), [z])
      const g = Object.values(grads)[0]?.dataSync() ?? new Float32Array(0)
      expect([...g].every(Number.isFinite)).toBe(true)
      expect(g[5]).toBeLessThan(0)
    }
    z.dispose()
  })
})
