import { memo, type ReactElement } from 'react'
import { useAppStore } from '../../store/app-store.js'
import { PairThumbnail } from './PairThumbnail.js'
import { STATUS_LABELS, StatusBadge } from './StatusBadge.js'

/** One pair in the grid: thumbnail with the mask overlaid, its status and its first finding. */
export const PairCard = memo(function PairCard({
  id,
  overlay,
  onOpen,
}: {
  id: string
  overlay: boolean
  onOpen: (id: string) => void
}): ReactElement | null {
  const pair = useAppStore((state) => state.staging.pairs.get(id))
  const selected = useAppStore((state) => state.staging.selectedId === id)
  const select = useAppStore((state) => state.selectPair)
  if (pair === undefined) return null
  const findings = pair.issues.filter((issue) => issue.severity !== 'info')
  const qaFailed = pair.qaError !== undefined
  const label = `${id}: ${qaFailed ? 'QA failed' : STATUS_LABELS[pair.status]}${findings.length > 0 ? `, ${String(findings.length)} finding${findings.length === 1 ? '' : 's'}` : ''}`
  return (
    <button
      type="button"
      className={`pair-card pair-card--${qaFailed ? 'qa-failed' : pair.status}${selected ? ' pair-card--selected' : ''}`}
      data-pair-id={id}
      data-status={qaFailed ? 'qa-failed' : pair.status}
      title={pair.qaError}
      aria-label={label}
      aria-pressed={selected}
      tabIndex={selected ? 0 : -1}
      onClick={() => select(id)}
      onDoubleClick={() => onOpen(id)}
    >
      <PairThumbnail pair={pair} layer={overlay ? 'overlay' : 'photo'} />
      <span className="pair-card__meta">
        <StatusBadge status={pair.status} compact />
        <span className="pair-card__name" title={id}>
          {id}
        </span>
      </span>
      <span className="pair-card__finding">
        {qaFailed
          ? 'QA failed'
          : findings[0] === undefined
            ? pair.fixes.length > 0
              ? 'fixed'
              : '\u00a0'
            : findings[0].ruleId}
        {findings.length > 1 ? ` +${String(findings.length - 1)}` : ''}
      </span>
    </button>
  )
})
