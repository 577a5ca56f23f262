import { memo, type ReactElement } from 'react'
import { findingSpec } from '@wms/shared/staging/staging-rules'
import { useAppStore } from '../../store/app-store.js'
import { PairThumbnail } from './PairThumbnail.js'
import { STATUS_LABELS, StatusBadge } from './StatusBadge.js'

/**
 * One pair in the grid: thumbnail with the mask overlaid, its status and its first finding. A click (or Enter)
 * opens it; the arrow keys move the selection. Focus and selection look different: focus is a ring outside the
 * card, selection a tinted card with an accent border.
 */
export const PairCard = memo(function PairCard({
  id,
  overlay,
  onOpen,
  tabbable,
}: {
  id: string
  overlay: boolean
  onOpen: (id: string) => void
  /** The grid's one Tab stop (roving tabindex). */
  tabbable: boolean
}): ReactElement | null {
  const pair = useAppStore((state) => state.staging.pairs.get(id))
  const selected = useAppStore((state) => state.staging.selectedId === id)
  const select = useAppStore((state) => state.selectPair)
  if (pair === undefined) return null
  const findings = pair.issues.filter((issue) => issue.severity !== 'info')
  const qaFailed = pair.qaError !== undefined
  // A model that disagrees with the mask (Models → Try it) flags it, like a finding but blocking nothing.
  const wrongMask = pair.modelCheck?.disagrees === true
  const label = `${id}: ${qaFailed ? 'QA failed' : STATUS_LABELS[pair.status]}${findings.length > 0 ? `, ${String(findings.length)} finding${findings.length === 1 ? '' : 's'}` : ''}${pair.fixes.length > 0 ? ', fixed' : ''}${wrongMask ? ', possibly wrong mask' : ''}`
  return (
    <button
      type="button"
      className={`pair-card pair-card--${qaFailed ? 'qa-failed' : pair.status}${selected ? ' pair-card--selected' : ''}`}
      data-pair-id={id}
      data-status={qaFailed ? 'qa-failed' : pair.status}
      title={pair.qaError}
      aria-label={label}
      aria-current={selected ? 'true' : undefined}
      tabIndex={tabbable ? 0 : -1}
      onClick={() => onOpen(id)}
      // Keyboard focus is the selection (roving tabindex): Delete and f act on the focused card.
      onFocus={() => {
        if (!selected) select(id)
      }}
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
          : findings[0] === undefined && wrongMask
            ? 'possibly wrong mask'
            : findings[0] === undefined
              ? pair.fixes.length > 0
                ? pair.autoFixed === true
                  ? 'fixed when added'
                  : 'fixed'
                : '\u00a0'
              : findingSpec(findings[0].ruleId).title}
        {findings.length > 1 ? ` +${String(findings.length - 1)}` : ''}
      </span>
    </button>
  )
})
