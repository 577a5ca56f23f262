/**
 * The metric names a training run logs (MLflow metrics, the `epoch-end` event, the curves drawn from them) — one
 * spelling for the trainer, the tracking and the history that reads them back.
 */

/** Per-epoch metrics. */
export const METRIC_NAMES = {
  trainLoss: 'train_loss',
  trainDice: 'train_dice',
  trainIou: 'train_iou',
  valLoss: 'val_loss',
  valDice: 'val_dice',
  valIou: 'val_iou',
  learningRate: 'learning_rate',
  epochSeconds: 'epoch_seconds',
} as const

/** The final test score `key` (`dice` → `final_test_dice`), as the old system logged it. */
export function finalTestMetric(key: string): string {
  return `final_test_${key}`
}

/** One epoch's scores; the validation ones are null when the dataset has no validation split. */
export interface EpochScores {
  trainLoss: number
  trainDice: number
  trainIou: number
  valLoss: number | null
  valDice: number | null
  valIou: number | null
}

/** An epoch's scores as metrics: `train_*` always, each `val_*` when it was measured. */
export function epochMetrics(epoch: EpochScores): Record<string, number> {
  const metrics: Record<string, number> = {
    [METRIC_NAMES.trainLoss]: epoch.trainLoss,
    [METRIC_NAMES.trainDice]: epoch.trainDice,
    [METRIC_NAMES.trainIou]: epoch.trainIou,
  }
  if (epoch.valLoss !== null) metrics[METRIC_NAMES.valLoss] = epoch.valLoss
  if (epoch.valDice !== null) metrics[METRIC_NAMES.valDice] = epoch.valDice
  if (epoch.valIou !== null) metrics[METRIC_NAMES.valIou] = epoch.valIou
  return metrics
}
