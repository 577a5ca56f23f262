import { describe, expect, it } from 'vitest'
import { reuseEqualItems, sameData } from './reuse-equal.js'

describe('reuseEqualItems', () => {
  it('keeps the previous object of every unchanged item and takes the changed and new ones', () => {
    const previous = [
      { id: 'a', curve: [1, 2, 3] },
      { id: 'b', curve: [4] },
    ]
    const next = [
      { id: 'c', curve: [] },
      { id: 'a', curve: [1, 2, 3] },
      { id: 'b', curve: [4, 5] },
    ]
    const kept = reuseEqualItems(previous, next, (item) => item.id)
    expect(kept).toEqual(next)
    expect(kept[1]).toBe(previous[0])
    expect(kept[2]).toBe(next[2])
    expect(kept[0]).toBe(next[0])
  })

  it('keeps the previous list when nothing in it changed', () => {
    const previous = [{ id: 'a' }, { id: 'b' }]
    expect(reuseEqualItems(previous, [{ id: 'a' }, { id: 'b' }], (item) => item.id)).toBe(previous)
    expect(reuseEqualItems(previous, [{ id: 'b' }, { id: 'a' }], (item) => item.id)).not.toBe(previous)
  })

  it('compares data, not identity', () => {
    expect(sameData({ a: 1, b: [null] }, { a: 1, b: [null] })).toBe(true)
    expect(sameData({ a: 1 }, { a: 2 })).toBe(false)
  })
})
