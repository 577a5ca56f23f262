import { describe, expect, it } from 'vitest'
import { innerTicks, niceScale } from './chart-ticks.js'

describe('niceScale', () => {
  it('covers every value with round steps', () => {
    expect(niceScale(0.0123, 0.7)).toEqual({ domain: [0, 0.8], ticks: [0, 0.2, 0.4, 0.6, 0.8] })
    expect(niceScale(0.31, 0.94)).toEqual({ domain: [0.2, 1], ticks: [0.2, 0.4, 0.6, 0.8, 1] })
    const { domain, ticks } = niceScale(-3.2, 17.9)
    expect(domain[0]).toBeLessThanOrEqual(-3.2)
    expect(domain[1]).toBeGreaterThanOrEqual(17.9)
    expect(ticks.length).toBeGreaterThanOrEqual(3)
    expect(ticks.length).toBeLessThanOrEqual(8)
  })

  it('keeps whole steps for epochs and one tick for a single value', () => {
    expect(niceScale(1, 3, 5, true).ticks).toEqual([1, 2, 3])
    expect(niceScale(0.5, 0.5)).toEqual({ domain: [0.5, 0.5], ticks: [0.5] })
  })

  it('does not leave floating-point noise in the ticks', () => {
    for (const tick of niceScale(0.1, 0.7).ticks) expect(String(tick).length).toBeLessThanOrEqual(4)
  })
})

describe('innerTicks', () => {
  it('keeps the domain at the data, both ends as ticks and round ticks between them', () => {
    expect(innerTicks(1, 4900, 5, true)).toEqual({ domain: [1, 4900], ticks: [1, 2000, 4000, 4900] })
    expect(innerTicks(1, 10, 5, true)).toEqual({ domain: [1, 10], ticks: [1, 3, 6, 9, 10] })
    expect(innerTicks(1, 1, 5, true)).toEqual({ domain: [0, 2], ticks: [1] })
  })
})
