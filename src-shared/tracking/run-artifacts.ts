/**
 * Small artifacts a training run logs, as pure text: the per-image test metrics CSV and learning-curve plots as SVG
 * (MLflow's UI previews both; no image library needed).
 */

/** One row of the per-image metrics CSV. */
export interface PerImageRow {
  id: string
  dice: number
  iou: number
}

/** `id,dice,iou` CSV, one row per test image, sorted by id; values with full precision. */
export function formatPerImageCsv(rows: readonly PerImageRow[]): string {
  const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return (
    ['id,dice,iou', ...sorted.map((row) => `${csvCell(row.id)},${String(row.dice)},${String(row.iou)}`)].join('\n') +
    '\n'
  )
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

/** One line of a plot. */
export interface CurveSeries {
  name: string
  points: readonly { step: number; value: number }[]
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728']

/**
 * A line chart of learning curves (x = epoch, y = value) as a standalone SVG. Non-finite values are skipped.
 * Deterministic: the same series give the same bytes.
 */
export function renderCurvesSvg(title: string, series: readonly CurveSeries[], yLabel = ''): string {
  const width = 640
  const height = 360
  const margin = { left: 56, right: 16, top: 36, bottom: 44 }
  const finite = series.map((line) => ({
    ...line,
    points: line.points.filter((point) => Number.isFinite(point.value)),
  }))
  const all = finite.flatMap((line) => line.points)
  const xs = all.map((point) => point.step)
  const ys = all.map((point) => point.value)
  const xMin = xs.length === 0 ? 0 : Math.min(...xs)
  const xMax = xs.length === 0 ? 1 : Math.max(...xs)
  let yMin = ys.length === 0 ? 0 : Math.min(...ys)
  let yMax = ys.length === 0 ? 1 : Math.max(...ys)
  if (yMin === yMax) {
    yMin -= 0.5
    yMax += 0.5
  }
  const plotW = width - margin.left - margin.right
  const plotH = height - margin.top - margin.bottom
  const x = (step: number) => margin.left + (xMax === xMin ? plotW / 2 : ((step - xMin) / (xMax - xMin)) * plotW)
  const y = (value: number) => margin.top + plotH - ((value - yMin) / (yMax - yMin)) * plotH
  const fmt = (value: number) => value.toFixed(1)
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${String(width)}" height="${String(height)}" viewBox="0 0 ${String(width)} ${String(height)}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${String(width / 2)}" y="20" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
    `<line x1="${String(margin.left)}" y1="${fmt(margin.top + plotH)}" x2="${String(width - margin.right)}" y2="${fmt(margin.top + plotH)}" stroke="#333"/>`,
    `<line x1="${String(margin.left)}" y1="${String(margin.top)}" x2="${String(margin.left)}" y2="${fmt(margin.top + plotH)}" stroke="#333"/>`,
  ]
  for (let tick = 0; tick <= 4; tick += 1) {
    const value = yMin + ((yMax - yMin) * tick) / 4
    parts.push(
      `<text x="${String(margin.left - 6)}" y="${fmt(y(value) + 4)}" text-anchor="end">${escapeXml(value.toPrecision(3))}</text>`,
      `<line x1="${String(margin.left)}" y1="${fmt(y(value))}" x2="${String(width - margin.right)}" y2="${fmt(y(value))}" stroke="#eee"/>`,
    )
  }
  parts.push(
    `<text x="${String(margin.left)}" y="${String(height - 12)}">epoch ${String(xMin)}</text>`,
    `<text x="${String(width - margin.right)}" y="${String(height - 12)}" text-anchor="end">epoch ${String(xMax)}</text>`,
  )
  if (yLabel !== '') parts.push(`<text x="14" y="${String(margin.top - 10)}">${escapeXml(yLabel)}</text>`)
  finite.forEach((line, index) => {
    const color = COLORS[index % COLORS.length] ?? '#000'
    const sorted = [...line.points].sort((a, b) => a.step - b.step)
    if (sorted.length > 0) {
      const d = sorted.map((point, i) => `${i === 0 ? 'M' : 'L'}${fmt(x(point.step))},${fmt(y(point.value))}`).join(' ')
      parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`)
    }
    const legendY = margin.top + 14 + index * 16
    parts.push(
      `<line x1="${String(width - 150)}" y1="${String(legendY - 4)}" x2="${String(width - 130)}" y2="${String(legendY - 4)}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${String(width - 124)}" y="${String(legendY)}">${escapeXml(line.name)}</text>`,
    )
  })
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
