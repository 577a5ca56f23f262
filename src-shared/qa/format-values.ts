/** Number formatting shared by QA messages and report renderers (so the app and the CLI print the same). */

/** `1.5 MB`-style sizes (binary units). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${String(bytes)} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit] ?? 'TB'}`
}

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
