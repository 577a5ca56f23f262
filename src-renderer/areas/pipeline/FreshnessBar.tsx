import type { ReactElement } from 'react'
import type { StatusFreshness } from '@wms/shared/pipeline/timeline'
import { useAppStore } from '../../store/app-store.js'
import { formatAge, formatDuration } from './format.js'
import { useNow } from './use-now.js'

/** Where the status comes from and whether it is live, or the last known state and how old it is. */
export function FreshnessBar({ freshness }: { freshness: StatusFreshness }): ReactElement {
  const refresh = useAppStore((state) => state.refreshPipelineStatus)
  const now = useNow(15_000)
  const age = freshness.lastSuccessAt === null ? null : formatAge(now - freshness.lastSuccessAt)
  const live = freshness.freshness === 'live'
  const checking = !live && freshness.error === null
  return (
    <div
      className={`freshness freshness--${live ? 'live' : 'offline'}`}
      data-testid="freshness"
      data-freshness={freshness.freshness}
    >
      <p role="status">
        <span aria-hidden="true">{live ? '● ' : checking ? '◌ ' : '⚠ '}</span>
        <strong>{live ? 'Live' : checking ? 'Checking' : 'Offline'}</strong>
        {' · '}
        {freshness.sourceLabel}
        {live ? null : age === null ? (
          checking ? null : (
            ' · no state known yet'
          )
        ) : (
          <span data-testid="freshness-age"> · showing the last known state, from {age}</span>
        )}
      </p>
      {freshness.error === null ? null : (
        <p className="freshness__error">
          {freshness.error.message}
          {freshness.error.hint === undefined ? '' : ` ${freshness.error.hint}`}
          {freshness.nextPollAt === null
            ? ''
            : ` Next check in ${formatDuration(Math.max(0, freshness.nextPollAt - now))}.`}
        </p>
      )}
      {live ? null : (
        <button type="button" className="button button--small" onClick={() => void refresh()}>
          Check now
        </button>
      )}
    </div>
  )
}
