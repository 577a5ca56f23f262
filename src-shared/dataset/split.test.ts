import { describe, expect, it } from 'vitest'
import { createPrng } from '../util/prng.js'
import { hashPosition, pairsForNonEmptySplit, splitByHash, splitOf, splitShare } from './split.js'

function randomMd5(prng: ReturnType<typeof createPrng>): string {
  let hex = ''
  for (let i = 0; i < 32; i += 1) hex += prng.int(0, 15).toString(16)
  return hex
}

describe('hash split', () => {
  it('is a pure function of the hash', () => {
    expect(splitOf('00000000aaaa')).toBe('test')
    expect(splitOf('19999999ffff')).toBe('test') // 0.0999…
    expect(splitOf('1a000000ffff')).toBe('val')
    expect(splitOf('34000000ffff')).toBe('train')
    expect(splitOf('FFFFFFFF')).toBe('train')
    expect(hashPosition('80000000')).toBe(0.5)
  })

  it('gives roughly the requested proportions', () => {
    const prng = createPrng(1)
    const items = Array.from({ length: 5000 }, () => ({ md5: randomMd5(prng) }))
    const split = splitByHash(items)
    expect(split.train.length / 5000).toBeCloseTo(0.8, 1)
    expect(split.val.length / 5000).toBeCloseTo(0.1, 1)
    expect(split.test.length / 5000).toBeCloseTo(0.1, 1)
  })

  it('never moves an existing pair when data grows, so test sets only grow', () => {
    const prng = createPrng(2)
    const old = Array.from({ length: 200 }, (_, i) => ({ id: `a${String(i)}`, md5: randomMd5(prng) }))
    const grown = [...old, ...Array.from({ length: 300 }, (_, i) => ({ id: `b${String(i)}`, md5: randomMd5(prng) }))]
    const before = splitByHash(old)
    const after = splitByHash(grown)
    for (const name of ['train', 'val', 'test'] as const) {
      const ids = new Set(after[name].map((p) => p.id))
      for (const pair of before[name]) expect(ids.has(pair.id)).toBe(true)
    }
  })

  it('keeps test pairs when only the train/val ratio changes', () => {
    const prng = createPrng(3)
    const items = Array.from({ length: 300 }, () => ({ md5: randomMd5(prng) }))
    const a = splitByHash(items, { train: 80, val: 10, test: 10 })
    const b = splitByHash(items, { train: 70, val: 20, test: 10 })
    expect(b.test).toEqual(a.test)
  })

  it('rejects what is not a hash', () => {
    expect(() => splitOf('not-a-hash')).toThrow(/content hash/)
    expect(() => splitOf('00000000', { train: 0, val: 0, test: 0 })).toThrow(/ratios/)
  })
})

describe('pairs a split needs', () => {
  it('is the size at which the split gets a pair 95 % of the time', () => {
    expect(pairsForNonEmptySplit(0.1)).toBe(29)
    expect(pairsForNonEmptySplit(0.2)).toBe(14)
    expect(1 - 0.9 ** 29).toBeGreaterThanOrEqual(0.95)
    expect(1 - 0.9 ** 28).toBeLessThan(0.95)
    expect(pairsForNonEmptySplit(0)).toBe(Number.POSITIVE_INFINITY)
    expect(splitShare({ train: 80, val: 10, test: 10 }, 'test')).toBe(0.1)
  })
})
