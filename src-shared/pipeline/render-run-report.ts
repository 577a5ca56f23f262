import { renderVerdictMarkdown } from '../gate/render-verdict.js'
import { MARKDOWN_LIMIT_BYTES, utf8Length } from '../qa/render-report.js'
import { formatDuration } from '../util/format.js'
import { PIPELINE_RUN_STEPS, type PipelineRunRecord } from './run-record.js'

/**
 * The pipeline's report for one data branch, in Markdown: the verdict, the QA summary, the dataset diff, the metrics
 * table against production with the best and worst per-image deltas (the gate's own renderer), and the steps with
 * their times. It is the body of the PR (GitHub) and the report stored with the run record (local runner). At most
 * `limitBytes` UTF-8 bytes (GitHub stops at 65,536 characters); what does not fit is cut at a line and marked.
 * Pure.
 */

const ICON = { merged: '✅', 'not-improved': '➖', refused: '❌', failed: '⚠️' } as const
const STEP_ICON = { pending: '·', running: '…', ok: '✓', failed: '✗', skipped: '–' } as const
const LISTED_FILES = 50

/** The PR title for a run that merged (`data: add 10 new training images (model improved)`). */
export function runReportTitle(record: PipelineRunRecord): string {
  const added = record.merge?.images.new ?? 0
  const what = `data: add ${String(added)} new training image${added === 1 ? '' : 's'}`
  if (record.verdict === null) return `${what} (running)`
  if (record.verdict.outcome === 'merged') return `${what} (model improved)`
  return `${what} (${record.verdict.outcome})`
}

/** Renders the report (see the module comment). */
export function renderRunReport(record: PipelineRunRecord, limitBytes = MARKDOWN_LIMIT_BYTES): string {
  const sections = [
    header(record),
    qaSection(record),
    datasetSection(record),
    metricsSection(record),
    stepsSection(record),
  ].filter((section) => section !== '')
  return fit(sections.join('\n\n'), limitBytes)
}

function header(record: PipelineRunRecord): string {
  const lines = [`## ${runReportTitle(record)}`, '']
  const verdict = record.verdict
  if (verdict === null)
    lines.push(`⏳ The pipeline is running on \`${record.branch}\` (${record.commit.slice(0, 12)}).`)
  else {
    lines.push(`${ICON[verdict.outcome]} **${escapeMd(verdict.headline)}**`, '')
    for (const detail of verdict.details.slice(0, 20)) lines.push(`- ${escapeMd(detail)}`)
    if (verdict.details.length > 20) lines.push(`- … and ${String(verdict.details.length - 20)} more`)
    lines.push('', `**What to do:** ${escapeMd(verdict.action)}`)
  }
  lines.push('', `Branch \`${record.branch}\` at \`${record.commit.slice(0, 12)}\``)
  return lines.join('\n')
}

function qaSection(record: PipelineRunRecord): string {
  const qa = record.qa
  if (qa === null) return ''
  const lines = [
    `### ${qa.passed ? '✅' : '❌'} Data quality`,
    '',
    `${String(qa.pairs)} pairs checked: ${String(qa.pairsWithErrors)} with errors, ${String(qa.errors)} errors, ${String(qa.warnings)} warnings.`,
  ]
  if (qa.findings.length > 0) {
    lines.push('', '| pair | rule | severity | finding |', '| --- | --- | --- | --- |')
    for (const finding of qa.findings) {
      lines.push(
        `| ${escapeCell(finding.sampleId)} | ${finding.ruleId} | ${finding.severity} | ${escapeCell(finding.message)} |`,
      )
    }
    const listed = qa.findings.length
    if (qa.errors + qa.warnings > listed) lines.push('', `… ${String(qa.errors + qa.warnings - listed)} more findings.`)
  }
  return lines.join('\n')
}

function datasetSection(record: PipelineRunRecord): string {
  const merge = record.merge
  if (merge === null) return ''
  const { images } = merge
  const lines = [
    '### 📊 Dataset',
    '',
    '| | images (pairs) | files |',
    '| --- | ---: | ---: |',
    `| existing on main | ${String(images.existing)} | ${String(merge.files.existing)} |`,
    `| new on this branch | ${String(images.new)} | ${String(merge.files.new)} |`,
    `| replaced | ${String(images.replaced)} | ${String(merge.files.replaced)} |`,
    `| **total after merge** | **${String(images.total)}** | **${String(merge.files.total)}** |`,
  ]
  const added = merge.added.filter((relpath) => relpath.startsWith('images/'))
  if (added.length > 0) {
    const shown = added.slice(0, LISTED_FILES).map((relpath) => `\`${relpath}\``)
    const more = added.length > LISTED_FILES ? ` … and ${String(added.length - LISTED_FILES)} more` : ''
    lines.push('', `New images: ${shown.join(', ')}${more}`)
  }
  for (const replaced of merge.replaced.slice(0, LISTED_FILES)) {
    lines.push(`- replaced \`${replaced.path}\`: ${escapeMd(replaced.reason)}`)
  }
  lines.push('', `Merged into main at \`${merge.main.slice(0, 12)}\`; main receives only the \`.dvc\` pointer files.`)
  return lines.join('\n')
}

function metricsSection(record: PipelineRunRecord): string {
  if (record.gate === null) {
    if (record.train === null) return ''
    const test = record.train.test
    return `### 📈 Training\n\nRun \`${record.train.runId}\`: test Dice ${test?.dice.toFixed(4) ?? 'n/a'}, IoU ${test?.iou.toFixed(4) ?? 'n/a'}.`
  }
  const lines = ['### 📈 Model', '', renderVerdictMarkdown(record.gate)]
  if (record.promote !== null) {
    const previous = record.promote.previousVersion
    lines.push(
      '',
      `Promoted ${record.promote.modelName} v${record.promote.version} to production${previous === null ? '' : ` (was v${previous})`}.`,
    )
  }
  return lines.join('\n')
}

function stepsSection(record: PipelineRunRecord): string {
  const lines = ['### ⏱ Steps', '', '| step | status | time | summary |', '| --- | --- | ---: | --- |']
  for (const step of PIPELINE_RUN_STEPS) {
    const state = record.steps[step]
    const time = state.seconds === undefined ? '' : formatDuration(state.seconds)
    lines.push(
      `| ${step} | ${STEP_ICON[state.status]} ${state.status} | ${time} | ${escapeCell(state.summary ?? '')} |`,
    )
  }
  return lines.join('\n')
}

/** Cuts at the last whole line that fits, and says so. */
function fit(markdown: string, limitBytes: number): string {
  if (utf8Length(markdown) <= limitBytes) return markdown
  const marker = '\n\n> ✂️ Report truncated: it exceeded the size limit; the full record is in the run record.'
  const budget = limitBytes - utf8Length(marker)
  const lines = markdown.split('\n')
  const kept: string[] = []
  let used = 0
  for (const line of lines) {
    const cost = utf8Length(line) + 1
    if (used + cost > budget) break
    kept.push(line)
    used += cost
  }
  return kept.join('\n') + marker
}

const escapeCell = (text: string): string => escapeMd(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
const escapeMd = (text: string): string => text.replace(/</g, '&lt;').replace(/>/g, '&gt;')
