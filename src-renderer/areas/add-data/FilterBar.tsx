import { useMemo, type ReactElement } from 'react'
import { findingSpec, type FindingRuleId } from '@wms/shared/staging/staging-rules'
import { useAppStore } from '../../store/app-store.js'
import { chipCounts, type PairFilter, type PairSort } from '../../store/pair-order.js'

const STATUS_FILTERS: { value: PairFilter['status']; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'attention', label: 'Needs attention' },
  { value: 'error', label: 'Errors' },
  { value: 'warning', label: 'Warnings' },
  { value: 'ok', label: 'OK' },
]

const SORTS: { value: PairSort; label: string }[] = [
  { value: 'attention', label: 'Needs attention first' },
  { value: 'newest', label: 'Newest first' },
  { value: 'name', label: 'Name' },
]

/** Filters by status (counted under the rule filter) and by finding, and sorts the grid. */
export function FilterBar(): ReactElement {
  const filter = useAppStore((state) => state.staging.filter)
  const sort = useAppStore((state) => state.staging.sort)
  const summary = useAppStore((state) => state.staging.summary)
  const pairs = useAppStore((state) => state.staging.pairs)
  const setFilter = useAppStore((state) => state.setFilter)
  const setSort = useAppStore((state) => state.setSort)
  const counts = useMemo(
    () => chipCounts(pairs.values(), { ruleId: filter.ruleId, only: filter.only }),
    [pairs, filter.ruleId, filter.only],
  )
  return (
    <div className="filter-bar">
      <div className="filter-bar__chips" role="group" aria-label="Show pairs">
        {STATUS_FILTERS.map(({ value, label }) => (
          <button
            key={value}
            type="button"
            className={`chip${filter.status === value ? ' chip--active' : ''}`}
            aria-pressed={filter.status === value}
            onClick={() => setFilter({ status: value })}
          >
            {label} <span className="chip__count">{counts[value]}</span>
          </button>
        ))}
      </div>
      <label className="filter-bar__select">
        <span>Finding</span>
        <select
          value={filter.ruleId ?? ''}
          onChange={(event) => setFilter({ ruleId: event.target.value === '' ? null : event.target.value })}
        >
          <option value="">Any</option>
          {(summary?.byRule ?? []).map((rule) => (
            <option key={rule.ruleId} value={rule.ruleId}>
              {findingSpec(rule.ruleId as FindingRuleId).title} ({rule.count})
            </option>
          ))}
        </select>
      </label>
      <label className="filter-bar__select">
        <span>Sort</span>
        <select value={sort} onChange={(event) => setSort(event.target.value as PairSort)}>
          {SORTS.map(({ value, label }) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
    </div>
  )
}
