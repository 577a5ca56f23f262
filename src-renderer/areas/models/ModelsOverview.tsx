import { useCallback, useMemo, useState, type ReactElement } from 'react'
import { useAppStore } from '../../store/app-store.js'
import { CompareVersions } from './CompareVersions.js'
import { formatScore, formatWhen } from './format.js'
import { MetricsChart } from './MetricsChart.js'
import { ProductionHistory } from './ProductionHistory.js'
import { RollbackDialog } from './RollbackDialog.js'
import { TryItPanel } from './TryItPanel.js'
import { VersionsTable } from './VersionsTable.js'
import './models.css'

/**
 * The registry's versions: production and since when, the Dice/IoU chart, the history, two versions side by side,
 * try it, and the table with rollback. Loaded on first use (it carries the charting library).
 */
export function ModelsOverview(): ReactElement | null {
  const models = useAppStore((state) => state.models)
  const compared = useAppStore((state) => state.comparedVersions)
  const toggleCompared = useAppStore((state) => state.toggleCompared)
  const githubRepo = useAppStore((state) =>
    state.workspace.status === 'ready' ? (state.workspace.value.github?.repo ?? null) : null,
  )
  const [rollbackTarget, setRollbackTarget] = useState<string | null>(null)
  const [tryVersion, setTryVersion] = useState<string | null>(null)
  const overview = models.status === 'ready' ? models.value : null
  const versions = useMemo(() => overview?.versions ?? [], [overview])
  const byVersion = useMemo(() => new Map(versions.map((version) => [version.version, version])), [versions])
  const onTry = useCallback((version: string) => {
    setTryVersion(version)
    document.getElementById('models-try-title')?.scrollIntoView({ block: 'start' })
  }, [])
  const onRollback = useCallback((version: string) => setRollbackTarget(version), [])
  if (overview === null) return null
  const production = overview.productionVersion === null ? undefined : byVersion.get(overview.productionVersion)
  const target = rollbackTarget === null ? undefined : byVersion.get(rollbackTarget)
  const comparedVersions = compared.flatMap((version) => byVersion.get(version) ?? [])
  return (
    <div className="models">
      <section className="models-panel models-summary" aria-labelledby="models-title">
        <h2 id="models-title">Models</h2>
        <p data-testid="models-production">
          {production === undefined ? (
            'No version is production now.'
          ) : (
            <>
              <strong>v{production.version}</strong> of <code>{overview.modelName}</code> is production since{' '}
              <strong>{formatWhen(overview.productionSince)}</strong> — test Dice {formatScore(production.dice)}, IoU{' '}
              {formatScore(production.iou)}.
            </>
          )}{' '}
          <span className="muted">
            {versions.length} registered version{versions.length === 1 ? '' : 's'} in{' '}
            {overview.store.kind === 'filestore' ? 'the MLflow FileStore' : 'MLflow'} {overview.store.display}.
          </span>
        </p>
        {overview.problems.length === 0 ? null : (
          <ul className="models-problems" role="alert">
            {overview.problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        )}
      </section>
      <div className="models-grid">
        <div className="models-panel">
          <MetricsChart versions={versions} production={overview.productionVersion} />
        </div>
        <ProductionHistory history={overview.history} />
      </div>
      <CompareVersions versions={comparedVersions} onClear={() => compared.forEach(toggleCompared)} />
      <TryItPanel
        versions={versions}
        version={tryVersion ?? overview.productionVersion ?? versions[0]?.version ?? ''}
        onVersion={setTryVersion}
      />
      <VersionsTable
        versions={versions}
        production={overview.productionVersion}
        compared={compared}
        githubRepo={githubRepo}
        onToggleCompare={toggleCompared}
        onTry={onTry}
        onRollback={onRollback}
      />
      {target === undefined ? null : (
        <RollbackDialog target={target} production={production} onClose={() => setRollbackTarget(null)} />
      )}
    </div>
  )
}
