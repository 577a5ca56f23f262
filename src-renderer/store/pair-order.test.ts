import { describe, expect, it } from 'vitest'
import type { StagedPair } from '@wms/shared/staging/staging-types'
import { chipCounts, matchesFilter, sortPairs } from './pair-order.js'

const pair = (id: string, status: StagedPair['status'], addedAt: number, ruleId?: 'mask/lossy'): StagedPair => ({
  id,
  image: null,
  mask: null,
  status,
  issues:
    ruleId === undefined
      ? []
      : [{ ruleId, severity: 'warning', sampleId: id, message: '', details: {}, fixable: true }],
  fixes: [],
  replacement: false,
  revision: 1,
  addedAt,
})

const PAIRS = [pair('a', 'ok', 3), pair('b', 'error', 1), pair('c', 'warning', 2, 'mask/lossy'), pair('d', 'ok', 4)]

describe('pair order and filter', () => {
  it('sorts what needs a person first, then newest first; or newest; or by name', () => {
    expect(sortPairs(PAIRS, 'attention').map((p) => p.id)).toEqual(['b', 'c', 'd', 'a'])
    expect(sortPairs(PAIRS, 'newest').map((p) => p.id)).toEqual(['d', 'a', 'c', 'b'])
    expect(sortPairs(PAIRS, 'name').map((p) => p.id)).toEqual(['a', 'b', 'c', 'd'])
  })

  it('counts the chips under the rule filter, not the totals', () => {
    expect(chipCounts(PAIRS, { ruleId: 'mask/lossy', only: null })).toMatchObject({
      all: 1,
      attention: 1,
      warning: 1,
      ok: 0,
    })
    expect(chipCounts(PAIRS, { ruleId: null, only: ['a', 'b'] })).toMatchObject({ all: 2, attention: 1, ok: 1 })
  })

  it('filters by status, rule and the last addition together', () => {
    const filter = { status: 'attention' as const, ruleId: null, only: ['a', 'b', 'c'] }
    expect(PAIRS.filter((p) => matchesFilter(p, filter)).map((p) => p.id)).toEqual(['b', 'c'])
  })
})
