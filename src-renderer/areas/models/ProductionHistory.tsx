import type { ReactElement } from 'react'
import type { ProductionEvent } from '@wms/shared/models/model-registry'
import { formatScore, formatWhen } from './format.js'

const SHOWN = 12

/** When production changed, newest first: promotions and rollbacks with their reasons. */
export function ProductionHistory({ history }: { history: readonly ProductionEvent[] }): ReactElement {
  const newest = [...history].reverse()
  return (
    <section className="models-panel" aria-labelledby="models-history-title">
      <h3 id="models-history-title">Production history</h3>
      {newest.length === 0 ? (
        <p className="muted">No promotion recorded yet.</p>
      ) : (
        <ol className="models-history" data-testid="models-history">
          {newest.slice(0, SHOWN).map((event) => (
            <li key={`${event.timestamp}-${event.event}-${String(event.version)}`} data-event={event.event}>
              <span className={`models-history__event models-history__event--${event.event}`}>
                {event.event === 'promote' ? 'Promoted' : 'Rolled back to'}
              </span>{' '}
              <strong>v{event.version}</strong>
              {event.previousVersion === null ? null : (
                <span className="muted"> (replaced v{event.previousVersion})</span>
              )}
              {event.current ? <span className="models-badge">production now</span> : null}
              <div className="muted">
                {formatWhen(event.timestamp)} · Dice {formatScore(event.dice)} · IoU {formatScore(event.iou)}
                {event.source === 'registry' ? ' · from the registry tags' : ''}
              </div>
              {event.reason === null ? null : <div className="models-history__reason">“{event.reason}”</div>}
            </li>
          ))}
        </ol>
      )}
      {newest.length > SHOWN ? (
        <p className="muted">
          {newest.length - SHOWN} earlier changes: <code>training-runner history</code> lists them all.
        </p>
      ) : null}
    </section>
  )
}
