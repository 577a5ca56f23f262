import { formatBytes, formatPercent } from './format-values.js'
import type { QaIssue } from './issue.js'
import type { QaReport } from './report.js'
import { QA_RULES, type QaRuleId, type QaSeverity } from './rule-catalog.js'
import { printable } from '../util/printable.js'

/**
 * Renders a QA report as Markdown (PR bodies, ≤ 60 KB because GitHub comments stop at 65,536 characters) and as
 * a plain-text table for terminals and CI logs. Pure.
 */

/** Default Markdown budget in UTF-8 bytes. */
export const MARKDOWN_LIMIT_BYTES = 60 * 1024

/** UTF-8 length of a string (no TextEncoder in pure code). */
export function utf8Length(text: string): number {
  let bytes = 0
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index)
    if (code < 0x80) bytes += 1
    else if (code < 0x800) bytes += 2
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4
      index += 1
    } else bytes += 3
  }
  return bytes
}

const ICON: Record<QaSeverity, string> = { error: '❌', warning: '⚠️', info: 'ℹ️' }
const TEXT_ICON: Record<QaSeverity, string> = { error: '✖', warning: '⚠', info: 'ℹ' }
const HEADINGS: Record<QaSeverity, string> = { error: 'Errors', warning: 'Warnings', info: 'Info' }

const escapeCell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
/** Escapes `<` and `>` outside code spans (inside them GitHub shows entities literally). */
const escapeText = (text: string): string =>
  text
    .split('`')
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('`')
const code = (text: string): string => (text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``)

/** The specific part of an issue's message (what is wrong with which file), without the rule's shared words. */
export function issueFinding(issue: QaIssue): { finding: string; action?: string } {
  const spec = QA_RULES[issue.ruleId]
  const at = issue.message.indexOf(` ${spec.why}`)
  if (at < 0) return { finding: issue.message }
  const rest = issue.message.slice(at + 1 + spec.why.length).trim()
  return rest === spec.action || rest === ''
    ? { finding: issue.message.slice(0, at) }
    : { finding: issue.message.slice(0, at), action: rest }
}

function groupByRule(issues: readonly QaIssue[]): Map<QaRuleId, QaIssue[]> {
  const groups = new Map<QaRuleId, QaIssue[]>()
  for (const issue of issues) {
    const group = groups.get(issue.ruleId)
    if (group === undefined) groups.set(issue.ruleId, [issue])
    else group.push(issue)
  }
  return groups
}

function headline(report: QaReport): string {
  const { summary } = report
  const status = report.cancelled ? 'cancelled' : report.passed ? 'passed' : 'failed'
  return `${String(summary.pairs)} pairs · ${String(summary.errors)} errors · ${String(summary.warnings)} warnings · ${String(summary.infos)} info — ${status}`
}

function datasetLines(report: QaReport): string[] {
  const { summary } = report
  const resolutions = summary.resolutions
    .slice(0, 6)
    .map((r) => `${String(r.width)}×${String(r.height)} (${String(r.count)})`)
    .join(', ')
  const more = summary.resolutions.length > 6 ? `, … ${String(summary.resolutions.length - 6)} more` : ''
  const orientations = Object.entries(summary.orientations)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([value, count]) => `${value}: ${String(count)}`)
    .join(', ')
  const fg = summary.foreground
  return [
    `sizes: ${resolutions === '' ? 'none' : resolutions + more}`,
    `EXIF orientation: ${orientations === '' ? 'none' : orientations} (${String(summary.rotated)} stored rotated)`,
    `foreground: ${fg === null ? 'no masks' : `median ${formatPercent(fg.median)}, p10 ${formatPercent(fg.p10)}, p90 ${formatPercent(fg.p90)}`}`,
    `size on disk: ${formatBytes(summary.bytes.total)} (images ${formatBytes(summary.bytes.images)}, masks ${formatBytes(summary.bytes.masks)})`,
  ]
}

/** The report as GitHub-flavoured Markdown, at most `limitBytes` (UTF-8), truncated with a note. */
export function renderQaMarkdown(report: QaReport, limitBytes = MARKDOWN_LIMIT_BYTES): string {
  const { summary } = report
  const icon = report.passed ? '✅' : report.cancelled ? '⏹️' : '❌'
  const head: string[] = [
    `## ${icon} Data QA ${report.cancelled ? 'cancelled' : report.passed ? 'passed' : 'failed'}`,
    '',
    `**${headline(report)}**${summary.unpairedFiles > 0 ? ` · ${String(summary.unpairedFiles)} unpaired files` : ''}${report.againstEntries > 0 ? ` · compared with ${String(report.againstEntries)} files of the existing dataset` : ''}`,
    '',
    ...datasetLines(report).map((line) => `- ${line}`),
    '',
  ]
  const ruleIds = Object.keys(summary.byRule) as QaRuleId[]
  if (ruleIds.length > 0) {
    head.push('| rule | severity | count | what | fixable |', '|---|---|---:|---|---|')
    for (const ruleId of ruleIds) {
      const spec = QA_RULES[ruleId]
      head.push(
        `| ${code(ruleId)} | ${ICON[spec.severity]} ${spec.severity} | ${String(summary.byRule[ruleId] ?? 0)} | ${escapeCell(spec.title)} | ${spec.fixable ? 'yes' : ''} |`,
      )
    }
    head.push('')
  }
  if (summary.fixable > 0)
    head.push(`${String(summary.fixable)} issues are fixable with \`training-runner qa --fix <out-dir>\`.`, '')

  const note = (shown: number): string =>
    `\n> ✂️ Truncated to stay under ${formatBytes(limitBytes)}: ${String(report.issues.length - shown)} more issues are in the JSON report.\n`
  const reserve = utf8Length(note(0)) + 64
  let text = head.join('\n')
  let used = utf8Length(text)
  let shown = 0
  let truncated = false
  const fits = (chunk: string): boolean => used + utf8Length(chunk) + reserve <= limitBytes
  const add = (chunk: string): void => {
    text += chunk
    used += utf8Length(chunk)
  }
  sections: for (const severity of ['error', 'warning', 'info'] as const) {
    const issues = report.issues.filter((issue) => issue.severity === severity)
    if (issues.length === 0) continue
    const heading = `\n### ${ICON[severity]} ${HEADINGS[severity]} (${String(issues.length)})\n`
    if (!fits(heading)) {
      truncated = true
      break
    }
    add(heading)
    for (const [ruleId, group] of groupByRule(issues)) {
      const spec = QA_RULES[ruleId]
      const intro = `\n**${code(ruleId)} ${escapeText(spec.title)}** (${String(group.length)}) — ${escapeText(spec.why)} ${escapeText(spec.action)}\n\n`
      if (!fits(intro)) {
        truncated = true
        break sections
      }
      add(intro)
      for (const issue of group) {
        const { finding, action } = issueFinding(issue)
        const line = `- ${escapeText(finding)}${action === undefined ? '' : ` → ${escapeText(action)}`}\n`
        if (!fits(line)) {
          truncated = true
          break sections
        }
        add(line)
        shown += 1
      }
    }
  }
  if (truncated) text += note(shown)
  return text.endsWith('\n') ? text : `${text}\n`
}

/** Options of {@link renderQaText}. */
export interface TextRenderOptions {
  /** Issues listed per rule before "… N more" (default 10; errors up to 200). */
  perSeverity?: number
  /** Terminal width for cutting long lines (default: no cutting). */
  columns?: number
}

/** The report as a plain-text table and issue list, for terminals and CI logs. */
export function renderQaText(report: QaReport, options: TextRenderOptions = {}): string {
  const perSeverity = options.perSeverity ?? 10
  const cut = (line: string): string =>
    options.columns !== undefined && line.length > options.columns ? `${line.slice(0, options.columns - 1)}…` : line
  const status = report.cancelled ? '⏹ cancelled' : report.passed ? '✔ passed' : '✖ failed'
  const lines: string[] = [`Data QA ${status}: ${headline(report)}`]
  if (report.summary.unpairedFiles > 0)
    lines.push(`  ${String(report.summary.unpairedFiles)} files could not be paired`)
  lines.push(...datasetLines(report).map((line) => `  ${line}`), '')
  const ruleIds = Object.keys(report.summary.byRule) as QaRuleId[]
  if (ruleIds.length > 0) {
    const width = Math.max(4, ...ruleIds.map((id) => id.length))
    lines.push(`  ${'rule'.padEnd(width)}  severity  count  fix  what`)
    for (const ruleId of ruleIds) {
      const spec = QA_RULES[ruleId]
      lines.push(
        cut(
          `  ${ruleId.padEnd(width)}  ${spec.severity.padEnd(8)}  ${String(report.summary.byRule[ruleId] ?? 0).padStart(5)}  ${spec.fixable ? 'yes' : '   '}  ${spec.title}`,
        ),
      )
    }
    lines.push('')
  }
  for (const severity of ['error', 'warning', 'info'] as const) {
    const issues = report.issues.filter((issue) => issue.severity === severity)
    if (issues.length === 0) continue
    const limit = severity === 'error' ? Math.max(perSeverity, 200) : perSeverity
    lines.push(`${HEADINGS[severity]} (${String(issues.length)}):`)
    for (const [ruleId, group] of groupByRule(issues)) {
      const spec = QA_RULES[ruleId]
      lines.push(`  ${ruleId} — ${spec.title} (${String(group.length)}): ${spec.why} ${spec.action}`)
      for (const issue of group.slice(0, limit)) lines.push(cut(textLine(issue)))
      if (group.length > limit)
        lines.push(`      … ${String(group.length - limit)} more (see the JSON or Markdown report)`)
    }
    lines.push('')
  }
  if (report.summary.fixable > 0) {
    lines.push(`${String(report.summary.fixable)} issues are fixable: training-runner qa <dir> --fix <out-dir>`)
  }
  return lines.join('\n').trimEnd() + '\n'
}

function textLine(issue: QaIssue): string {
  const { finding, action } = issueFinding(issue)
  // File names come from the user's disk: never let them steer the terminal.
  return printable(`    ${TEXT_ICON[issue.severity]} ${finding}${action === undefined ? '' : ` → ${action}`}`)
}
