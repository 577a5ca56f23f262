import { beats } from './evaluate-gate.js'
import { formatDelta, formatMargin, formatScore, productionLabel, testImages } from './format-numbers.js'
import type { GateVerdict, ImageDelta } from './verdict.js'

/**
 * A verdict for people: plain text for terminals and CI logs, Markdown for the PR body or a commit comment.
 * Both show the same things: decision, numbers, reasons, and the test images that changed most.
 */

/** The verdict as terminal text. */
export function renderVerdictText(verdict: GateVerdict): string {
  const lines = [`${verdict.pass ? 'GATE PASSED' : 'GATE FAILED'} (${verdict.outcome}): ${verdict.headline}`, '']
  const rows = scoreRows(verdict)
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? []
  for (const row of rows)
    lines.push(`  ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')}`.trimEnd())
  lines.push('', 'Reasons:')
  for (const reason of verdict.reasons) lines.push(`  - ${reason}`)
  const perImage = verdict.perImage
  if (perImage !== null && (perImage.best.length > 0 || perImage.worst.length > 0)) {
    lines.push('', `Per-image Dice changes (${testImages(perImage.compared)}):`)
    const width = Math.max(...[...perImage.best, ...perImage.worst].map((delta) => delta.id.length))
    for (const delta of perImage.best) lines.push(`  better  ${imageLine(delta, width)}`)
    for (const delta of perImage.worst) lines.push(`  worse   ${imageLine(delta, width)}`)
  }
  lines.push('', `Candidate run ${verdict.candidate.runId}`)
  return lines.join('\n')
}

/** The verdict as GitHub-flavoured Markdown (kept small: only the top changes per direction). */
export function renderVerdictMarkdown(verdict: GateVerdict): string {
  const icon = verdict.pass ? '✅' : '❌'
  const lines = [`### ${icon} Quality gate ${verdict.pass ? 'passed' : 'failed'}: ${escapeMd(verdict.headline)}`, '']
  const [header, ...body] = scoreRows(verdict)
  if (header !== undefined) {
    lines.push(
      `| ${header.map(escapeMd).join(' | ')} |`,
      `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    )
    for (const row of body) lines.push(`| ${row.map(escapeMd).join(' | ')} |`)
    lines.push('')
  }
  lines.push('**Why**', '')
  for (const reason of verdict.reasons) lines.push(`- ${escapeMd(reason)}`)
  const perImage = verdict.perImage
  if (perImage !== null && (perImage.best.length > 0 || perImage.worst.length > 0)) {
    lines.push(
      '',
      `**Per-image changes** (${String(perImage.improved)} better, ${String(perImage.regressed)} worse, ${String(perImage.unchanged)} unchanged of ${String(perImage.compared)})`,
      '',
      '| | image | Dice production → candidate | Δ Dice | Δ IoU |',
      '| --- | --- | ---: | ---: | ---: |',
    )
    for (const delta of perImage.best) lines.push(imageRow('better', delta))
    for (const delta of perImage.worst) lines.push(imageRow('worse', delta))
  }
  lines.push(
    '',
    `<sub>Candidate run \`${verdict.candidate.runId}\` · improved means Dice > production + ${formatMargin(verdict.policy.diceMargin)} and IoU > production + ${formatMargin(verdict.policy.iouMargin)} · both models evaluated on the same ${testImages(verdict.testImages)}</sub>`,
  )
  return lines.join('\n')
}

function scoreRows(verdict: GateVerdict): string[][] {
  const production = verdict.production
  const label = production === null ? 'production' : productionLabel(production)
  const header = ['', 'candidate', label, 'delta', 'required', '']
  const row = (name: string, metric: 'dice' | 'iou', margin: number): string[] => {
    const delta = verdict.deltas?.[metric]
    const ok = delta === undefined ? '' : beats(delta, margin) ? '✓' : '✗'
    return [
      name,
      formatScore(verdict.candidate[metric]),
      production === null ? '—' : formatScore(production[metric]),
      delta === undefined ? '—' : formatDelta(delta),
      production === null ? '—' : `> ${formatMargin(margin)}`,
      ok,
    ]
  }
  return [header, row('Dice', 'dice', verdict.policy.diceMargin), row('IoU', 'iou', verdict.policy.iouMargin)]
}

function imageLine(delta: ImageDelta, width: number): string {
  return `${delta.id.padEnd(width)}  Dice ${formatScore(delta.production.dice)} → ${formatScore(delta.candidate.dice)} (${formatDelta(delta.diceDelta)}), IoU ${formatDelta(delta.iouDelta)}`
}

function imageRow(direction: string, delta: ImageDelta): string {
  return `| ${direction} | \`${delta.id}\` | ${formatScore(delta.production.dice)} → ${formatScore(delta.candidate.dice)} | ${formatDelta(delta.diceDelta)} | ${formatDelta(delta.iouDelta)} |`
}

function escapeMd(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/</g, '&lt;')
}
