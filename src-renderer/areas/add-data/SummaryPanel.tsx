import type { ReactElement } from 'react'
import { useAppStore } from '../../store/app-store.js'
import { formatBytes } from '@wms/shared/util/format'
import { findingSpec, type FindingRuleId } from '@wms/shared/staging/staging-rules'

const percent = (value: number): string => `${(value * 100).toFixed(1)} %`

/** The staged set at a glance: counts, findings by rule, mask coverage and resolutions. */
export function SummaryPanel(): ReactElement | null {
  const summary = useAppStore((state) => state.staging.summary)
  const setFilter = useAppStore((state) => state.setFilter)
  const settings = useAppStore((state) => state.staging.settings)
  const setSettings = useAppStore((state) => state.setStagingSettings)
  if (summary === null) return null
  const resolutions = Object.entries(summary.resolutions).sort((a, b) => b[1] - a[1])
  return (
    <aside className="summary" aria-label="Summary" data-testid="staging-summary" tabIndex={0}>
      <h2>Summary</h2>
      <dl className="summary__counts">
        <div>
          <dt>Pairs</dt>
          <dd data-testid="summary-pairs">{summary.pairs}</dd>
        </div>
        <div>
          <dt>Errors</dt>
          <dd data-testid="summary-errors" className={summary.byStatus.error > 0 ? 'text-error' : ''}>
            {summary.byStatus.error}
          </dd>
        </div>
        <div>
          <dt>Warnings</dt>
          <dd data-testid="summary-warnings" className={summary.byStatus.warning > 0 ? 'text-warning' : ''}>
            {summary.byStatus.warning}
          </dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd>{formatBytes(summary.bytes)}</dd>
        </div>
      </dl>
      <p className="muted" aria-live="polite">
        {summary.checked < summary.pairs
          ? `QA checked ${String(summary.checked)} of ${String(summary.pairs)} pairs…`
          : 'QA is up to date.'}
      </p>
      {summary.byRule.length > 0 ? (
        <>
          <h3>Findings by rule</h3>
          <ul className="summary__rules">
            {summary.byRule.map((rule) => (
              <li key={rule.ruleId}>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => setFilter({ ruleId: rule.ruleId, status: 'all' })}
                >
                  <span className={`dot dot--${rule.severity}`} aria-hidden="true" />
                  {findingSpec(rule.ruleId as FindingRuleId).title}
                </button>
                <span>{rule.count}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <label className="summary__setting">
        <input
          type="checkbox"
          checked={settings.fixOnAdd}
          onChange={(event) => void setSettings({ fixOnAdd: event.target.checked })}
        />
        Fix format findings when pairs are added (lossy masks, location, orientation)
      </label>
      {summary.coverage !== null ? (
        <>
          <h3>Mask coverage</h3>
          <p className="summary__coverage">
            p10 {percent(summary.coverage.p10)} · median {percent(summary.coverage.median)} · p90{' '}
            {percent(summary.coverage.p90)}
          </p>
        </>
      ) : null}
      {resolutions.length > 0 ? (
        <>
          <h3>Resolutions</h3>
          <ul className="summary__resolutions">
            {resolutions.slice(0, 8).map(([size, count]) => (
              <li key={size}>
                <span>{size}</span>
                <span>{count}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </aside>
  )
}
