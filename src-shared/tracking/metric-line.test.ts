import { describe, expect, it } from 'vitest'
import { formatMetricLine, parseMetricFile, parseMetricLine, pythonFloatRepr } from './metric-line.js'

describe('pythonFloatRepr', () => {
  // Expected values are what CPython prints for repr(float(x)).
  it.each([
    [0.9, '0.9'],
    [1, '1.0'],
    [0, '0.0'],
    [-0, '-0.0'],
    [-2.5, '-2.5'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [0.00012345, '0.00012345'],
    [123456.789, '123456.789'],
    [1e16, '1e+16'],
    [1.5e16, '1.5e+16'],
    [9999999999999998, '9999999999999998.0'],
    [1e22, '1e+22'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [5e-324, '5e-324'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
  ])('%d → %s', (value, expected) => {
    expect(pythonFloatRepr(value)).toBe(expected)
  })
})

describe('metric lines', () => {
  it('formats "<timestamp> <value> <step>\\n" like the FileStore', () => {
    expect(formatMetricLine({ timestamp: 1795764149913, value: 0.9, step: 0 })).toBe('1795764149913 0.9 0\n')
    expect(formatMetricLine({ timestamp: 1795764149918, value: NaN, step: 3 })).toBe('1795764149918 nan 3\n')
    expect(formatMetricLine({ timestamp: 1795764149919, value: 1, step: 0 })).toBe('1795764149919 1.0 0\n')
  })

  it('reads 3-field, legacy 2-field, nan/inf and exponent lines', () => {
    expect(parseMetricLine('loss', '1795764149913 0.9 2')).toEqual({
      key: 'loss',
      value: 0.9,
      timestamp: 1795764149913,
      step: 2,
    })
    expect(parseMetricLine('loss', '17 0.5')).toEqual({ key: 'loss', value: 0.5, timestamp: 17, step: 0 })
    expect(parseMetricLine('x', '1 nan 0').value).toBeNaN()
    expect(parseMetricLine('x', '1 inf 0').value).toBe(Infinity)
    expect(parseMetricLine('x', '1 -inf 0').value).toBe(-Infinity)
    expect(parseMetricLine('x', '1 1e-05 0').value).toBe(1e-5)
  })

  it('rejects malformed lines as MLflow does', () => {
    expect(() => parseMetricLine('x', '1 2 3 4')).toThrow(/malformed/)
    expect(() => parseMetricLine('x', '1')).toThrow(/malformed/)
    expect(() => parseMetricLine('x', '1 abc 0')).toThrow(/malformed/)
  })

  it('round-trips a history in file order', () => {
    const points = [
      { key: 'dice', timestamp: 3, value: 0.25, step: 2 },
      { key: 'dice', timestamp: 1, value: 1e-7, step: 0 },
      { key: 'dice', timestamp: 2, value: 0.1 + 0.2, step: 1 },
    ]
    expect(parseMetricFile('dice', points.map(formatMetricLine).join(''))).toEqual(points)
  })
})
