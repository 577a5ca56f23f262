import { useId, useMemo, type ReactElement } from 'react'
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts'
import type { CurvePoint, TrainingProgress } from '@wms/shared/pipeline/timeline'
import { epochWord } from '@wms/shared/pipeline/timeline-from-record'
import { decimate } from './format.js'

/** Most points a chart draws: more epochs are spread evenly (first and last kept), the table says how many. */
const MAX_DRAWN = 400

type Series = { key: keyof Omit<CurvePoint, 'epoch'>; name: string; color: string; dashed?: boolean }

function Chart({
  title,
  points,
  series,
  domain,
}: {
  title: string
  points: CurvePoint[]
  series: Series[]
  domain?: [number, number]
}): ReactElement {
  const drawn = series.filter((item) => points.some((point) => point[item.key] !== null))
  return (
    <figure className="curve" aria-label={title}>
      <figcaption>{title}</figcaption>
      <LineChart width={440} height={200} data={points} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
        <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
        <XAxis dataKey="epoch" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} />
        <YAxis domain={domain ?? ['auto', 'auto']} width={48} tickFormatter={(value: number) => value.toFixed(2)} />
        <Tooltip formatter={(value) => (typeof value === 'number' ? value.toFixed(4) : String(value))} />
        <Legend />
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
    </figure>
  )
}

/** Live epoch progress, and the loss and Dice curves as they are logged (MLflow's metric names). */
export function TrainingCurves({ training }: { training: TrainingProgress }): ReactElement {
  const points = useMemo(() => decimate(training.curve, MAX_DRAWN), [training.curve])
  const last = training.curve.at(-1)
  const heading = useId()
  return (
    <section className="training" aria-labelledby={heading}>
      <h4 id={heading}>Training</h4>
      <p className="training__progress">
        <span data-testid="training-epoch">
          {training.epoch === 0 ? 'starting' : epochWord(training.epoch, training.epochs)}
        </span>
        {training.epochs === null ? null : (
          <progress max={training.epochs} value={training.epoch} aria-label="Training progress (epochs)" />
        )}
        {last?.trainLoss === null || last === undefined ? null : (
          <span className="muted"> loss {last.trainLoss.toFixed(4)}</span>
        )}
        {last?.valDice === null || last === undefined ? null : (
          <span className="muted"> · validation Dice {last.valDice.toFixed(3)}</span>
        )}
      </p>
      {training.curve.length === 0 ? (
        <p className="muted">The curves appear after the first epoch.</p>
      ) : (
        <div className="training__charts">
          <Chart
            title="Loss per epoch"
            points={points}
            series={[
              { key: 'trainLoss', name: 'train loss', color: 'var(--accent)' },
              { key: 'valLoss', name: 'validation loss', color: 'var(--warn)', dashed: true },
            ]}
          />
          <Chart
            title="Dice per epoch"
            points={points}
            domain={[0, 1]}
            series={[
              { key: 'trainDice', name: 'train Dice', color: 'var(--ok)' },
              { key: 'valDice', name: 'validation Dice', color: 'var(--error)', dashed: true },
            ]}
          />
          {points.length < training.curve.length ? (
            <p className="muted">
              {String(training.curve.length)} epochs logged; the charts draw {String(points.length)} of them, evenly
              spread.
            </p>
          ) : null}
        </div>
      )}
    </section>
  )
}
