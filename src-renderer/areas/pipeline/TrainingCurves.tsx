import { useEffect, useId, useState, type ReactElement } from 'react'
import type { TrainingProgress } from '@wms/shared/pipeline/timeline'
import { epochWord } from '@wms/shared/pipeline/timeline-from-record'
import { CurveChart, MAX_DRAWN, type Series } from './CurveChart.js'

const LOSS_SERIES: readonly Series[] = [
  { key: 'trainLoss', name: 'train loss', color: 'var(--accent)' },
  { key: 'valLoss', name: 'validation loss', color: 'var(--warn)', dashed: true },
]
const DICE_SERIES: readonly Series[] = [
  { key: 'trainDice', name: 'train Dice', color: 'var(--ok)' },
  { key: 'valDice', name: 'validation Dice', color: 'var(--error)', dashed: true },
]
const DICE_DOMAIN: [number, number] = [0, 1]

/**
 * How many of the two charts to draw: none at first, then one more per task. Recharts draws a chart in one
 * synchronous commit (its store updates re-render the chart while it mounts), so the two charts in one task made
 * the longest task of the view; one per task halves it, and the timeline is on screen before either.
 */
function useChartsInTurn(count: number): number {
  const [shown, setShown] = useState(0)
  useEffect(() => {
    if (shown >= count) return undefined
    const timer = setTimeout(() => setShown((current) => current + 1), 0)
    return () => clearTimeout(timer)
  }, [shown, count])
  return shown
}

/** Live epoch progress, and the loss and Dice curves as they are logged (MLflow's metric names). */
export function TrainingCurves({ training }: { training: TrainingProgress }): ReactElement {
  const last = training.curve.at(-1)
  const heading = useId()
  const shown = useChartsInTurn(2)
  const drawnEpochs = Math.min(training.curve.length, MAX_DRAWN)
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
        <div className={shown < 2 ? 'training__charts training__charts--pending' : 'training__charts'}>
          {shown < 1 ? null : <CurveChart title="Loss per epoch" curve={training.curve} series={LOSS_SERIES} />}
          {shown < 2 ? null : (
            <CurveChart title="Dice per epoch" curve={training.curve} series={DICE_SERIES} domain={DICE_DOMAIN} />
          )}
          {drawnEpochs < training.curve.length ? (
            <p className="muted">
              {String(training.curve.length)} epochs logged; each chart draws at most {String(drawnEpochs)} of them,
              keeping the highest and lowest values of every stretch.
            </p>
          ) : null}
        </div>
      )}
    </section>
  )
}
