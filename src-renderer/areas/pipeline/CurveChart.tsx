import { memo, useMemo, type ReactElement } from 'react'
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts'
import type { CurvePoint } from '@wms/shared/pipeline/timeline'
import { innerTicks, niceScale, type AxisScale } from '../../components/chart-ticks.js'
import { downsampleMinMax } from './downsample.js'

/**
 * Most points a chart draws (the chart is 440 px wide). Recharts' time grows with the points: 400 points in each
 * of two charts made a 290 ms task (CPU) when the view opened with a 5,000-epoch run. Longer curves keep each
 * stretch's lowest and highest values (downsampleMinMax), so a spike still shows.
 */
export const MAX_DRAWN = 200

/** One line of a chart: which metric, its legend name and colour. */
export interface Series {
  key: keyof Omit<CurvePoint, 'epoch'>
  name: string
  color: string
  dashed?: boolean
}

const formatTick = (value: number): string => value.toFixed(2)
const formatValue = (value: unknown): string => (typeof value === 'number' ? value.toFixed(4) : String(value))

/** The axes' domains and ticks for the drawn points (see chart-ticks: recharts' own took a third of the time). */
function useScales(
  points: readonly CurvePoint[],
  series: readonly Series[],
  domain: [number, number] | undefined,
): { x: AxisScale; y: AxisScale } {
  return useMemo(() => {
    const x = innerTicks(points[0]?.epoch ?? 1, points.at(-1)?.epoch ?? 1, 5, true)
    if (domain !== undefined) return { x, y: niceScale(domain[0], domain[1]) }
    const values = points.flatMap((point) =>
      series.map((item) => point[item.key]).filter((value): value is number => value !== null),
    )
    return { x, y: niceScale(Math.min(...values), Math.max(...values)) }
  }, [points, series, domain])
}

/**
 * One training chart: at most MAX_DRAWN points of the curve, with this chart's series' extremes kept. Memoised: a
 * chart already drawn is not drawn again when the other one arrives or the store reloads an equal curve. The
 * legend is HTML: recharts' Legend measures itself after mounting and draws the chart a second time.
 */
export const CurveChart = memo(function CurveChart({
  title,
  curve,
  series,
  domain,
}: {
  title: string
  curve: readonly CurvePoint[]
  series: readonly Series[]
  domain?: [number, number]
}): ReactElement {
  const points = useMemo(
    () =>
      downsampleMinMax(
        curve,
        series.map((item) => item.key),
        MAX_DRAWN,
      ),
    [curve, series],
  )
  const drawn = series.filter((item) => points.some((point) => point[item.key] !== null))
  const { x, y } = useScales(points, drawn, domain)
  return (
    <figure className="curve" aria-label={title}>
      <figcaption>{title}</figcaption>
      <LineChart width={440} height={176} data={points} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
        <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
        {/* Given ticks and interval 0: recharts neither computes ticks nor measures labels to thin them. */}
        <XAxis dataKey="epoch" type="number" domain={x.domain} ticks={x.ticks} interval={0} />
        <YAxis type="number" domain={y.domain} ticks={y.ticks} interval={0} width={48} tickFormatter={formatTick} />
        <Tooltip formatter={formatValue} />
        {drawn.map((item) => (
          <Line
            key={item.key}
            dataKey={item.key}
            name={item.name}
            stroke={item.color}
            strokeDasharray={item.dashed === true ? '5 4' : undefined}
            dot={false}
            isAnimationActive={false}
            connectNulls
          />
        ))}
      </LineChart>
      <ul className="curve__legend">
        {drawn.map((item) => (
          <li key={item.key}>
            <span
              className="curve__swatch"
              aria-hidden="true"
              style={{ borderTopColor: item.color, borderTopStyle: item.dashed === true ? 'dashed' : 'solid' }}
            />
            {item.name}
          </li>
        ))}
      </ul>
    </figure>
  )
})
