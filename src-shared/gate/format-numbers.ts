import { formatNumber } from '../util/format.js'

/**
 * A score (Dice, IoU, accuracy, a loss) with 4 decimals (`0.8123`); `n/a` when missing or not finite. The one way
 * scores read: in gate verdicts, the history, the CLI's train and evaluate output and the training progress.
 */
export function formatScore(value: number | null | undefined): string {
  return formatNumber(value, 4)
}

/** A signed delta with 4 decimals (`+0.0112`, `−0.0040`, `±0.0000`); tiny non-zero deltas keep their sign. */
export function formatDelta(value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'n/a'
  if (value === 0) return '±0.0000'
  const text = Math.abs(value).toFixed(4)
  if (text === '0.0000') return `${value > 0 ? '+' : '−'}${Math.abs(value).toExponential(1)}`
  return `${value > 0 ? '+' : '−'}${text}`
}

/** How a verdict names production: `production v3`, `production (run 1a2b3c4d)`, `production`. */
export function productionLabel(
  ref: { version?: string | null | undefined; runId?: string | null | undefined } | null | undefined,
): string {
  if (typeof ref?.version === 'string') return `production v${ref.version}`
  if (typeof ref?.runId === 'string') return `production (run ${ref.runId.slice(0, 8)})`
  return 'production'
}

/** A required margin: `0` for "strictly better", else a signed delta (`+0.0050`). */
export function formatMargin(value: number): string {
  return value === 0 ? '0' : formatDelta(value)
}

/** `1 test image`, `23 test images`. */
export function testImages(count: number): string {
  return `${String(count)} test image${count === 1 ? '' : 's'}`
}
