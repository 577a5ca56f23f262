/** Number formatting shared by QA messages and report renderers (so the app and the CLI print the same). */

export { formatBytes } from '../util/format.js'

/** A share as a percentage with sensible precision: `2.2 %`, `0.031 %`, `0 %`. */
export function formatPercent(share: number): string {
  const percent = share * 100
  if (percent === 0) return '0 %'
  const digits = percent >= 10 ? 1 : percent >= 1 ? 2 : percent >= 0.01 ? 3 : 5
  return `${String(Number(percent.toFixed(digits)))} %`
}

/** `1000×1333`. */
export function formatSize(width: number, height: number): string {
  return `${String(width)}×${String(height)}`
}
