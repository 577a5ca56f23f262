import { describe, expect, it } from 'vitest'
import { formatNumber } from '../util/format.js'
import { formatDelta, formatScore } from './format-numbers.js'

describe('how scores read (one rule for verdicts, history, CLI output and training progress)', () => {
  it.each([
    [0.81234, '0.8123'],
    [0, '0.0000'],
    [1, '1.0000'],
    [Number.NaN, 'n/a'],
    [Number.POSITIVE_INFINITY, 'n/a'],
    [null, 'n/a'],
    [undefined, 'n/a'],
  ])('formatScore(%s) is %s', (value, text) => {
    expect(formatScore(value)).toBe(text)
  })

  it('other measures keep their own precision under the same missing-value rule', () => {
    expect(formatNumber(12.345, 1)).toBe('12.3')
    expect(formatNumber(Number.NaN, 1)).toBe('n/a')
  })

  it('signs deltas, and keeps the sign of a tiny one', () => {
    expect(formatDelta(0.0112)).toBe('+0.0112')
    expect(formatDelta(-0.004)).toBe('−0.0040')
    expect(formatDelta(0)).toBe('±0.0000')
    expect(formatDelta(0.00001)).toBe('+1.0e-5')
  })
})
