import { memo, useMemo, type ReactElement } from 'react'
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts'
import type { ModelVersionSummary } from '@wms/shared/models/model-registry'
import { formatScore } from './format.js'

/** Test Dice and IoU of every version, oldest to newest, with production marked. */
export const MetricsChart = memo(function MetricsChart({
  versions,
  production,
}: {
  versions: readonly ModelVersionSummary[]
  production: string | null
}): ReactElement {
  const points = useMemo(
    () =>
      [...versions]
        .sort((a, b) => Number(a.version) - Number(b.version))
        .map((version) => ({ name: `v${version.version}`, dice: version.dice, iou: version.iou })),
    [versions],
  )
  const first = points[0]
  const last = points.at(-1)
  return (
    <figure className="models-chart" aria-labelledby="models-chart-title">
      <figcaption id="models-chart-title">
        <h3>Test Dice and IoU by version</h3>
        {production === null ? null : (
          <p className="models-chart__note">The dashed green line marks production (v{production}).</p>
        )}
        <p className="models-visually-hidden">
          {first === undefined || last === undefined
            ? 'No scores yet.'
            : `Dice ${formatScore(first.dice)} at ${first.name}, ${formatScore(last.dice)} at ${last.name}; IoU ${formatScore(first.iou)} to ${formatScore(last.iou)}.`}{' '}
          {production === null ? '' : `Production is v${production}.`} Every value is also in the versions table.
        </p>
      </figcaption>
      <div className="models-chart__plot" data-testid="models-chart" aria-hidden="true">
        <ResponsiveContainer width="100%" height={240}>
          <LineChart accessibilityLayer={false} data={points} margin={{ top: 8, right: 24, bottom: 4, left: 0 }}>
            <CartesianGrid stroke="#e6e9ee" />
            <XAxis dataKey="name" tick={{ fontSize: 12 }} minTickGap={16} />
            <YAxis domain={[0, 1]} tick={{ fontSize: 12 }} width={40} />
            <Tooltip formatter={(value) => (typeof value === 'number' ? value.toFixed(3) : String(value))} />
            <Legend />
            {production === null ? null : <ReferenceLine x={`v${production}`} stroke="#1b8a4b" strokeDasharray="4 3" />}
            <Line
              type="monotone"
              dataKey="dice"
              name="Dice"
              stroke="#0b7bc4"
              dot={points.length <= 40}
              isAnimationActive={false}
              connectNulls
            />
            <Line
              type="monotone"
              dataKey="iou"
              name="IoU"
              stroke="#b26a00"
              dot={points.length <= 40}
              isAnimationActive={false}
              connectNulls
            />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  )
})
