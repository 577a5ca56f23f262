import { describe, expect, it } from 'vitest'
import { arriveAndWait, CONTROL_WORDS, reduceRange, resetBarrier, sumRange } from './all-reduce.js'

describe('gradient all-reduce of data-parallel training (issue 18)', () => {
  it('splits a slot into contiguous ranges that cover it exactly', () => {
    for (const [length, parties] of [
      [10, 3],
      [7, 7],
      [2, 4],
      [1_968_513, 2],
    ] as const) {
      const ranges = Array.from({ length: parties }, (_, i) => reduceRange(length, parties, i))
      expect(ranges[0]?.[0]).toBe(0)
      expect(ranges.at(-1)?.[1]).toBe(length)
      ranges.slice(1).forEach(([start], i) => {
        expect(start).toBe(ranges[i]?.[1])
      })
    }
  })

  it('sums in slot order with float32 rounding after each addition, whatever the ranges', () => {
    // Values whose float32 sum depends on the order and on rounding at each step.
    const slots = [
      Float32Array.from([1e8, 0.1, -0, 3]),
      Float32Array.from([1, 0.2, -0, -3]),
      Float32Array.from([-1e8, 0.3, 0, 1e-8]),
    ]
    const expected = new Float32Array(4)
    for (let i = 0; i < 4; i += 1) {
      let acc = slots[0]?.[i] as number
      for (const slot of slots.slice(1)) acc = Math.fround(acc + (slot[i] as number))
      expected[i] = acc
    }
    const whole = new Float32Array(4)
    sumRange(slots, whole, 0, 4)
    const split = new Float32Array(4)
    for (let p = 0; p < 3; p += 1) sumRange(slots, split, ...reduceRange(4, 3, p))
    expect([...whole]).toEqual([...expected])
    expect([...split]).toEqual([...expected])
    // 1e8 + 1 rounds back to 1e8 in float32 before the -1e8: the order is kept, not re-associated.
    expect(whole[0]).toBe(0)
  })

  it('releases a single party at once and reports a failed party', () => {
    const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4))
    expect(arriveAndWait(control, 1, false)).toBe(false)
    expect(arriveAndWait(control, 1, true)).toBe(true)
    resetBarrier(control)
    expect(arriveAndWait(control, 1, false)).toBe(false)
  })
})
