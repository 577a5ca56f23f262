import { describe, expect, it } from 'vitest'
import { epochMetrics, finalTestMetric } from './metrics.js'

describe('training metric names', () => {
  it('names an epoch with validation by its train_* and val_* scores', () => {
    const epoch = { trainLoss: 0.5, trainDice: 0.6, trainIou: 0.4, valLoss: 0.55, valDice: 0.58, valIou: 0.41 }
    expect(epochMetrics(epoch)).toEqual({
      train_loss: 0.5,
      train_dice: 0.6,
      train_iou: 0.4,
      val_loss: 0.55,
      val_dice: 0.58,
      val_iou: 0.41,
    })
  })

  it('leaves out what was not measured (no validation split), never logging null as 0', () => {
    const epoch = { trainLoss: 0.5, trainDice: 0.6, trainIou: 0.4, valLoss: null, valDice: null, valIou: null }
    expect(Object.keys(epochMetrics(epoch))).toEqual(['train_loss', 'train_dice', 'train_iou'])
  })

  it('names final test scores as the old system did', () => {
    expect(finalTestMetric('dice')).toBe('final_test_dice')
  })
})
