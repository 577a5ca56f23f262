import { useId, type ReactElement } from 'react'
import type { GateSummary, ImageDeltaView } from '@wms/shared/pipeline/timeline'
import { useAppStore } from '../../store/app-store.js'
import { formatDelta, formatScore } from './format.js'

function DeltaList({ title, deltas }: { title: string; deltas: ImageDeltaView[] }): ReactElement {
  const mediaUrl = useAppStore((state) => state.api.mediaUrl)
  return (
    <div className="deltas">
      <h5>{title}</h5>
      {deltas.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul className="deltas__list">
          {deltas.map((delta) => (
            <li key={delta.id} className="delta" data-image={delta.id}>
              {delta.thumb === null ? (
                <div
                  className="delta__thumb delta__thumb--none"
                  role="img"
                  aria-label={`No picture of ${delta.id} here`}
                >
                  ?
                </div>
              ) : (
                <img
                  className="delta__thumb"
                  src={mediaUrl(delta.thumb)}
                  alt={`Test image ${delta.id}`}
                  loading="lazy"
                />
              )}
              <div>
                <code>{delta.id}</code>
                <div>
                  Dice {formatScore(delta.production.dice)} → {formatScore(delta.candidate.dice)}{' '}
                  <strong className={delta.diceDelta >= 0 ? 'delta--up' : 'delta--down'}>
                    ({formatDelta(delta.diceDelta)})
                  </strong>
                </div>
                <div className="muted">IoU {formatDelta(delta.iouDelta)}</div>
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

/** The gate's verdict: candidate against production on the same test split, the reasons, per-image deltas. */
export function GatePanel({ gate }: { gate: GateSummary }): ReactElement {
  const heading = useId()
  return (
    <section
      className={`gate gate--${gate.pass ? 'passed' : 'rejected'}`}
      aria-labelledby={heading}
      data-testid="gate-panel"
    >
      <h4 id={heading}>
        Gate verdict:{' '}
        <span data-testid="gate-result">
          <span aria-hidden="true">{gate.pass ? '✓ ' : '✕ '}</span>
          {gate.pass ? 'passed' : 'rejected'}
        </span>
      </h4>
      <p className="gate__headline">{gate.headline}</p>
      <table className="gate__scores">
        <caption className="pipeline-sr">Candidate against production</caption>
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">Dice</th>
            <th scope="col">IoU</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Candidate</th>
            <td>{formatScore(gate.candidate.dice)}</td>
            <td>{formatScore(gate.candidate.iou)}</td>
          </tr>
          <tr>
            <th scope="row">
              Production
              {gate.production?.version === null || gate.production === null ? '' : ` (v${gate.production.version})`}
            </th>
            <td>{gate.production === null ? 'none yet' : formatScore(gate.production.dice)}</td>
            <td>{gate.production === null ? '' : formatScore(gate.production.iou)}</td>
          </tr>
        </tbody>
      </table>
      {gate.testImages === null ? null : (
        <p className="muted">Both scored on the same {String(gate.testImages)} test images.</p>
      )}
      <h5>Why</h5>
      <ul className="gate__reasons">
        {gate.reasons.map((reason) => (
          <li key={reason}>{reason}</li>
        ))}
      </ul>
      {gate.perImage === null ? (
        gate.production === null ? null : (
          <p className="muted">Per-image changes appear once the verdict is recorded.</p>
        )
      ) : (
        <>
          <p>
            Per image: {String(gate.perImage.improved)} better, {String(gate.perImage.regressed)} worse of{' '}
            {String(gate.perImage.compared)} compared.
          </p>
          <div className="deltas__columns">
            <DeltaList title="Most improved" deltas={gate.perImage.best} />
            <DeltaList title="Most worsened" deltas={gate.perImage.worst} />
          </div>
        </>
      )}
    </section>
  )
}
