import { useMemo, type ReactElement } from 'react'
import { useAppStore } from '../../store/app-store.js'
import { needsAttention } from '../../store/pair-order.js'

const plural = (count: number, one: string, many = `${one}s`): string => `${String(count)} ${count === 1 ? one : many}`

/**
 * After an addition: how many pairs came in and where they stand as QA judges them (ready, need a person, being
 * checked, fixed on add), with a way to show only them. New pairs also lead the grid (newest first).
 */
export function AddedSummary(): ReactElement | null {
  const added = useAppStore((state) => state.staging.added)
  const pairs = useAppStore((state) => state.staging.pairs)
  const only = useAppStore((state) => state.staging.filter.only)
  const setFilter = useAppStore((state) => state.setFilter)
  const dismiss = useAppStore((state) => state.dismissAdded)
  const counts = useMemo(() => {
    const result = { present: 0, ready: 0, attention: 0, checking: 0, fixed: 0 }
    for (const id of added?.ids ?? []) {
      const pair = pairs.get(id)
      if (pair === undefined) continue
      result.present += 1
      if (needsAttention(pair)) result.attention += 1
      else if (pair.status === 'ok') result.ready += 1
      else result.checking += 1
      if (pair.autoFixed === true) result.fixed += 1
    }
    return result
  }, [added, pairs])
  if (added === null) return null
  const parts = [
    `${String(counts.ready)} ready`,
    counts.attention > 0 ? `${String(counts.attention)} need${counts.attention === 1 ? 's' : ''} attention` : '',
    counts.checking > 0 ? `${String(counts.checking)} being checked` : '',
    counts.fixed > 0 ? `${String(counts.fixed)} fixed when added (lossy masks, location, orientation)` : '',
  ].filter((part) => part !== '')
  return (
    <section className="added" aria-label="Last addition" data-testid="added-summary">
      <p role="status">
        <strong>{plural(added.ids.length, 'pair')} added.</strong> {parts.join(' · ')}
      </p>
      {added.ids.length > 0 ? (
        only === null ? (
          <button type="button" className="button button--small" onClick={() => setFilter({ only: added.ids })}>
            Show only these
          </button>
        ) : (
          <button type="button" className="button button--small" onClick={() => setFilter({ only: null })}>
            Show all pairs
          </button>
        )
      ) : null}
      <button type="button" className="button button--small" onClick={dismiss}>
        Dismiss
      </button>
    </section>
  )
}
