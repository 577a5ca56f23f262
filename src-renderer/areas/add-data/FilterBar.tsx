import type { ReactElement } from 'react'
import { useAppStore } from '../../store/app-store.js'
import type { PairFilter } from '../../store/staging-slice.js'

const STATUS_FILTERS: { value: PairFilter['status']; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'attention', label: 'Needs attention' },
  { value: 'error', label: 'Errors' },
  { value: 'warning', label: 'Warnings' },
  { value: 'ok', label: 'OK' },
]

/** Filters by status (with counts) and by QA rule. */
export function FilterBar(): ReactElement {
  const filter = useAppStore((state) => state.staging.filter)
  const summary = useAppStore((state) => state.staging.summary)
  const setFilter = useAppStore((state) => state.setFilter)
  const count = (value: PairFilter['status']): number => {
    if (summary === null) return 0
    if (value === 'all') return summary.pairs
    if (value === 'attention') return summary.byStatus.error + summary.byStatus.warning
    return summary.byStatus[value]
  }
  return (
    <div className="filter-bar" role="group" aria-label="Filter pairs">
      {STATUS_FILTERS.map(({ value, label }) => (
        <button
          key={value}
          type="button"
          className={`chip${filter.status === value ? ' chip--active' : ''}`}
          aria-pressed={filter.status === value}
          onClick={() => setFilter({ status: value })}
        >
          {label} <span className="chip__count">{count(value)}</span>
        </button>
      ))}
      <label className="filter-bar__rule">
        <span className="visually-hidden">Rule</span>
        <select
          value={filter.ruleId ?? ''}
          onChange={(event) => setFilter({ ruleId: event.target.value === '' ? null : event.target.value })}
        >
          <option value="">Any rule</option>
          {(summary?.byRule ?? []).map((rule) => (
            <option key={rule.ruleId} value={rule.ruleId}>
              {rule.ruleId} ({rule.count})
            </option>
          ))}
        </select>
      </label>
    </div>
  )
}
