import type { PairStatus, StagedPair } from '@wms/shared/staging/staging-types'

/** Which pairs the grid shows. */
export interface PairFilter {
  status: PairStatus | 'all' | 'attention'
  ruleId: string | null
  /** Only the pairs of the last addition ("Show them" in the added summary), or null for all. */
  only: readonly string[] | null
}

/** The grid's order: what needs a person first (errors, then warnings), newest first, or by name. */
export type PairSort = 'attention' | 'newest' | 'name'

/** True when a pair needs a person: an error or a warning that nothing fixed by itself. */
export function needsAttention(pair: StagedPair): boolean {
  return pair.status === 'error' || pair.status === 'warning' || pair.qaError !== undefined
}

/** True when a pair matches the status part of a filter. */
export function matchesStatus(pair: StagedPair, status: PairFilter['status']): boolean {
  if (status === 'all') return true
  if (status === 'attention') return needsAttention(pair)
  return pair.status === status
}

/** True when a pair matches the filter's rule and "only these" parts (the chips count under them). */
export function matchesScope(pair: StagedPair, filter: Omit<PairFilter, 'status'>): boolean {
  if (filter.only !== null && !filter.only.includes(pair.id)) return false
  if (filter.ruleId !== null && !pair.issues.some((issue) => issue.ruleId === filter.ruleId)) return false
  return true
}

/** True when a pair matches the whole filter. */
export function matchesFilter(pair: StagedPair, filter: PairFilter): boolean {
  return matchesStatus(pair, filter.status) && matchesScope(pair, filter)
}

const RANK: Record<PairStatus, number> = { error: 0, warning: 1, checking: 2, pending: 2, ok: 3 }

/** The pairs in grid order. */
export function sortPairs(pairs: readonly StagedPair[], sort: PairSort): StagedPair[] {
  const byName = (a: StagedPair, b: StagedPair): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  const newest = (a: StagedPair, b: StagedPair): number => (b.addedAt ?? 0) - (a.addedAt ?? 0) || byName(a, b)
  const rank = (pair: StagedPair): number => (pair.qaError !== undefined ? 0 : RANK[pair.status])
  if (sort === 'name') return [...pairs].sort(byName)
  if (sort === 'newest') return [...pairs].sort(newest)
  return [...pairs].sort((a, b) => rank(a) - rank(b) || newest(a, b))
}

/** Counts per status chip, under the filter's rule and "only these" parts. */
export function chipCounts(
  pairs: Iterable<StagedPair>,
  filter: Omit<PairFilter, 'status'>,
): Record<PairFilter['status'], number> {
  const counts: Record<PairFilter['status'], number> = {
    all: 0,
    attention: 0,
    error: 0,
    warning: 0,
    ok: 0,
    pending: 0,
    checking: 0,
  }
  for (const pair of pairs) {
    if (!matchesScope(pair, filter)) continue
    counts.all += 1
    if (needsAttention(pair)) counts.attention += 1
    counts[pair.status] += 1
  }
  return counts
}
