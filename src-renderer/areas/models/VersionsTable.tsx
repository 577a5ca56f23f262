import { memo, type ReactElement } from 'react'
import type { ModelVersionSummary } from '@wms/shared/models/model-registry'
import { formatDelta, formatScore, formatWhen, shortDataVersion } from './format.js'

/** Every registered version, newest first: scores, gate, data, source; tick to compare, try it, roll back. */
export const VersionsTable = memo(function VersionsTable({
  versions,
  production,
  compared,
  githubRepo,
  onToggleCompare,
  onTry,
  onRollback,
}: {
  versions: readonly ModelVersionSummary[]
  production: string | null
  compared: readonly string[]
  githubRepo: string | null
  onToggleCompare: (version: string) => void
  onTry: (version: string) => void
  onRollback: (version: string) => void
}): ReactElement {
  return (
    <section className="models-panel" aria-labelledby="models-versions-title">
      <h3 id="models-versions-title">Versions</h3>
      <div className="models-table__scroll">
        <table className="models-table" data-testid="models-versions">
          <caption className="models-visually-hidden">{versions.length} registered versions, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Dice</th>
              <th scope="col">IoU</th>
              <th scope="col">vs. production then</th>
              <th scope="col">Data</th>
              <th scope="col">Source</th>
              <th scope="col">Promoted</th>
              <th scope="col">Compare</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((version) => (
              <VersionRow
                key={version.version}
                version={version}
                isProduction={version.version === production}
                compared={compared.includes(version.version)}
                githubRepo={githubRepo}
                onToggleCompare={onToggleCompare}
                onTry={onTry}
                onRollback={onRollback}
              />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
})

const VersionRow = memo(function VersionRow({
  version,
  isProduction,
  compared,
  githubRepo,
  onToggleCompare,
  onTry,
  onRollback,
}: {
  version: ModelVersionSummary
  isProduction: boolean
  compared: boolean
  githubRepo: string | null
  onToggleCompare: (version: string) => void
  onTry: (version: string) => void
  onRollback: (version: string) => void
}): ReactElement {
  const v = version.version
  return (
    <tr data-version={v} className={isProduction ? 'models-table__production' : undefined}>
      <th scope="row">
        v{v}
        {isProduction ? <span className="models-badge">production</span> : null}
        {version.rolledBackAt === null ? null : (
          <div className="muted models-table__rolled-back" title={version.rollbackReason ?? undefined}>
            back in production by a rollback on {formatWhen(version.rolledBackAt)}
          </div>
        )}
      </th>
      <td>{formatScore(version.dice)}</td>
      <td>{formatScore(version.iou)}</td>
      <td>
        {version.baselineDice === null ? (
          <span className="muted">{version.gateOutcome === 'first-model' ? 'first model' : '–'}</span>
        ) : (
          <>Dice {formatDelta(version.dice === null ? null : version.dice - version.baselineDice)}</>
        )}
      </td>
      <td>
        {version.dataPairs === null ? '–' : `${String(version.dataPairs)} pairs`}
        <div className="muted">
          <code title={version.dataVersion ?? undefined}>{shortDataVersion(version.dataVersion)}</code>
        </div>
      </td>
      <td>
        {version.sourceBranch === null ? '–' : <code>{version.sourceBranch}</code>}
        {version.pr === null ? null : (
          <div>
            {githubRepo === null ? (
              `PR #${String(version.pr)}`
            ) : (
              <a href={`https://github.com/${githubRepo}/pull/${String(version.pr)}`} target="_blank" rel="noreferrer">
                PR #{version.pr}
              </a>
            )}
          </div>
        )}
      </td>
      <td>{formatWhen(version.promotedAt ?? version.createdAt)}</td>
      <td>
        <input type="checkbox" checked={compared} onChange={() => onToggleCompare(v)} aria-label={`Compare v${v}`} />
      </td>
      <td className="models-table__actions">
        <button
          type="button"
          className="button button--small"
          onClick={() => onTry(v)}
          aria-label={`Try v${v} on a photo`}
        >
          Try it
        </button>
        {isProduction ? null : (
          <button
            type="button"
            className="button button--small"
            onClick={() => onRollback(v)}
            aria-label={`Roll back to v${v}`}
          >
            Roll back
          </button>
        )}
      </td>
    </tr>
  )
})
