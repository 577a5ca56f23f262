import type { ReactElement } from 'react'
import type { ModelVersionSummary } from '@wms/shared/models/model-registry'
import { formatDelta, formatScore, formatWhen, shortDataVersion } from './format.js'

interface Row {
  label: string
  value: (version: ModelVersionSummary) => string
  delta?: (a: ModelVersionSummary, b: ModelVersionSummary) => string
}

const ROWS: Row[] = [
  { label: 'Test Dice', value: (v) => formatScore(v.dice), delta: (a, b) => scoreDelta(a.dice, b.dice) },
  { label: 'Test IoU', value: (v) => formatScore(v.iou), delta: (a, b) => scoreDelta(a.iou, b.iou) },
  { label: 'Gate', value: (v) => v.gateOutcome ?? '–' },
  { label: 'Data version', value: (v) => shortDataVersion(v.dataVersion) },
  {
    label: 'Training pairs',
    value: (v) => (v.dataPairs === null ? '–' : String(v.dataPairs)),
    delta: (a, b) => (a.dataPairs === null || b.dataPairs === null ? '–' : signed(b.dataPairs - a.dataPairs)),
  },
  { label: 'Test images', value: (v) => (v.testPairs === null ? '–' : String(v.testPairs)) },
  { label: 'Source branch', value: (v) => v.sourceBranch ?? '–' },
  { label: 'Pull request', value: (v) => (v.pr === null ? '–' : `#${String(v.pr)}`) },
  { label: 'Promoted', value: (v) => formatWhen(v.promotedAt) },
]

/** Two versions side by side: scores, data and provenance, and how the second differs from the first. */
export function CompareVersions({
  versions,
  onClear,
}: {
  versions: readonly ModelVersionSummary[]
  onClear: () => void
}): ReactElement {
  const [a, b] = [...versions].sort((x, y) => Number(x.version) - Number(y.version))
  return (
    <section className="models-panel" aria-labelledby="models-compare-title">
      <h3 id="models-compare-title">Compare versions</h3>
      {a === undefined || b === undefined ? (
        <p className="muted">Tick two versions in the table below to compare them side by side.</p>
      ) : (
        <>
          <table className="models-table models-compare" data-testid="models-compare">
            <caption className="models-visually-hidden">
              v{a.version} and v{b.version} side by side
            </caption>
            <thead>
              <tr>
                <th scope="col">What</th>
                <th scope="col">v{a.version}</th>
                <th scope="col">v{b.version}</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {ROWS.map((row) => (
                <tr key={row.label}>
                  <th scope="row">{row.label}</th>
                  <td>{row.value(a)}</td>
                  <td>{row.value(b)}</td>
                  <td>{row.delta?.(a, b) ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" className="button button--small" onClick={onClear}>
            Clear the comparison
          </button>
        </>
      )}
    </section>
  )
}

function scoreDelta(a: number | null, b: number | null): string {
  return a === null || b === null ? '–' : formatDelta(b - a)
}

function signed(value: number): string {
  return value > 0 ? `+${String(value)}` : value < 0 ? `−${String(-value)}` : '0'
}
