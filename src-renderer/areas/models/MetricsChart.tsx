import { memo, useEffect, useMemo, useRef, useState, type ReactElement, type RefObject } from 'react'
import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts'
import type { ModelVersionSummary } from '@wms/shared/models/model-registry'
import { innerTicks, niceScale } from '../../components/chart-ticks.js'
import { formatScore } from './format.js'

const SERIES = [
  { key: 'dice', name: 'Dice', color: '#0b7bc4' },
  { key: 'iou', name: 'IoU', color: '#b26a00' },
] as const
const Y_SCALE = niceScale(0, 1)
const versionLabel = (value: unknown): string => `v${String(value)}`
const formatValue = (value: unknown): string => (typeof value === 'number' ? value.toFixed(3) : String(value))

/**
 * The width of the element behind the ref, once the browser has laid it out (null before). A ResizeObserver reports
 * it after layout, without forcing one: recharts' ResponsiveContainer measured the panel while the area was being
 * mounted, which made the browser lay out the whole new area inside that task (60–100 ms with 200 versions), and
 * drew the chart in the same task. Now the chart draws in a task of its own once the width is known.
 */
function useLaidOutWidth(): [RefObject<HTMLDivElement | null>, number | null] {
  const ref = useRef<HTMLDivElement>(null)
  const [width, setWidth] = useState<number | null>(null)
  useEffect(() => {
    const element = ref.current
    if (element === null) return undefined
    const observer = new ResizeObserver((entries) => {
      const measured = entries.at(-1)?.contentRect.width
      if (measured !== undefined && measured > 0) setWidth(Math.floor(measured))
    })
    observer.observe(element)
    return () => observer.disconnect()
  }, [])
  return [ref, width]
}

/**
 * Test Dice and IoU of every version, oldest to newest, with production marked. The x axis is the version number
 * with its ticks given: as a category axis of 200 names, recharts measured every label in the DOM to thin them,
 * a 490 ms task (CPU) when the area opened. The legend is HTML (recharts' measures itself and redraws the chart).
 */
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
        .map((version) => ({ version: Number(version.version), dice: version.dice, iou: version.iou }))
        .sort((a, b) => a.version - b.version),
    [versions],
  )
  const first = points[0]
  const last = points.at(-1)
  const x = innerTicks(first?.version ?? 1, last?.version ?? 1, 8, true)
  const [plot, width] = useLaidOutWidth()
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
            : `Dice ${formatScore(first.dice)} at v${String(first.version)}, ${formatScore(last.dice)} at v${String(last.version)}; IoU ${formatScore(first.iou)} to ${formatScore(last.iou)}.`}{' '}
          {production === null ? '' : `Production is v${production}.`} Every value is also in the versions table.
        </p>
      </figcaption>
      <div className="models-chart__plot" data-testid="models-chart" aria-hidden="true" ref={plot}>
        {width === null ? (
          <div className="models-chart__pending" />
        ) : (
          <LineChart
            accessibilityLayer={false}
            width={width}
            height={216}
            data={points}
            margin={{ top: 8, right: 24, bottom: 4, left: 0 }}
          >
            <CartesianGrid stroke="#e6e9ee" />
            <XAxis
              dataKey="version"
              type="number"
              domain={x.domain}
              ticks={x.ticks}
              interval={0}
              tickFormatter={versionLabel}
              tick={{ fontSize: 12 }}
            />
            <YAxis domain={Y_SCALE.domain} ticks={Y_SCALE.ticks} interval={0} tick={{ fontSize: 12 }} width={40} />
            <Tooltip labelFormatter={versionLabel} formatter={formatValue} />
            {production === null ? null : (
              <ReferenceLine x={Number(production)} stroke="#1b8a4b" strokeDasharray="4 3" />
            )}
            {SERIES.map((series) => (
              <Line
                key={series.key}
                type="monotone"
                dataKey={series.key}
                name={series.name}
                stroke={series.color}
                dot={points.length <= 40}
                isAnimationActive={false}
                connectNulls
              />
            ))}
          </LineChart>
        )}
        <ul className="models-chart__legend">
          {SERIES.map((series) => (
            <li key={series.key}>
              <span className="models-chart__swatch" style={{ borderTopColor: series.color }} />
              {series.name}
            </li>
          ))}
        </ul>
      </div>
    </figure>
  )
})
