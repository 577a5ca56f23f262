import type { WorkspaceConfig } from '@wms/shared/config/workspace-config'
import { toAppError } from '@wms/shared/errors'
import type { ProductionHistoryEntry } from '@wms/shared/formats/model-metadata'
import { formatDelta, formatScore } from '@wms/shared/gate/format-numbers'
import { VERSION_TAGS } from '@wms/shared/tracking/tags'
import { finalTestMetric } from '@wms/shared/tracking/metrics'
import type { TrackingStore } from '../tracking/tracking-store.js'
import { currentProductionVersion } from './production-pointer.js'
import { versionScores } from './rollback.js'
import { readProductionHistory } from './workspace-files.js'

/**
 * The promotion timeline: `models/production-history.jsonl` (the audit trail committed with the workspace), merged
 * with promotions the registry's version tags know about but the file lacks, and marked with what the registry says
 * is production now. MLflow itself keeps no alias history (mlflow#2169), hence both records.
 */

/** One moment production changed. */
export interface HistoryItem {
  event: 'promote' | 'rollback'
  version: number
  runId: string | null
  timestamp: string
  previousVersion: number | null
  dice: number | null
  iou: number | null
  baselineDice: number | null
  baselineIou: number | null
  gateOutcome?: string
  reason?: string
  /** Where the entry was found. */
  source: 'history-file' | 'registry'
  /** True for the entry that made the current production version. */
  current: boolean
}

/** The timeline, newest last. */
export interface ProductionHistory {
  modelName: string
  items: HistoryItem[]
  /** Production now according to the registry; null when there is none or the registry was not (or could not be) asked. */
  currentVersion: string | null
  /** False when the registry was deliberately left out (`history --no-registry`). */
  registryConsulted: boolean
  /** Why the registry could not be asked, when it could not. */
  registryProblem?: string
  /** Lines of the history file that could not be read. */
  fileProblems: { line: number; message: string }[]
}

/** Reads the timeline (see the module comment); the registry is optional (file only when it is down). */
export async function readHistory(options: {
  store?: TrackingStore
  workspaceRoot: string
  config: WorkspaceConfig
}): Promise<ProductionHistory> {
  const modelName = options.config.tracking.registeredModel
  const file = await readProductionHistory(options.workspaceRoot)
  const items = file.entries.map(fromEntry)
  const history: ProductionHistory = {
    modelName,
    items,
    currentVersion: null,
    registryConsulted: options.store !== undefined,
    fileProblems: file.problems,
  }
  if (options.store !== undefined) {
    try {
      const current = await currentProductionVersion(options.store, modelName)
      history.currentVersion = current?.version ?? null
      const known = new Set(items.filter((item) => item.event === 'promote').map((item) => item.version))
      const versions = await options.store.searchModelVersions(modelName).catch(() => [])
      for (const version of versions) {
        const promotedAt = version.tags[VERSION_TAGS.promotedAt]
        if (promotedAt === undefined || known.has(Number(version.version))) continue
        const scores = versionScores(version, undefined)
        const replaced = version.tags[VERSION_TAGS.replacedVersion]
        items.push({
          event: 'promote',
          version: Number(version.version),
          runId: version.runId ?? null,
          timestamp: promotedAt,
          previousVersion: replaced === undefined ? null : Number(replaced),
          dice: scores.dice,
          iou: scores.iou,
          baselineDice: numberTag(version.tags[VERSION_TAGS.gateBaselineDice]),
          baselineIou: numberTag(version.tags[VERSION_TAGS.gateBaselineIou]),
          ...(version.tags[VERSION_TAGS.gateOutcome] === undefined
            ? {}
            : { gateOutcome: version.tags[VERSION_TAGS.gateOutcome] }),
          source: 'registry',
          current: false,
        })
      }
    } catch (thrown) {
      history.registryProblem = toAppError(thrown).message
    }
  }
  items.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0))
  // The registry says which version is production now; without it, the file's last entry is the best guess.
  const current =
    history.registryProblem !== undefined || options.store === undefined
      ? items.at(-1)
      : [...items].reverse().find((item) => String(item.version) === history.currentVersion)
  if (current !== undefined) current.current = true
  return history
}

/** The timeline as a terminal table. */
export function renderHistoryText(history: ProductionHistory): string {
  const lines = [`Production history of ${history.modelName}`]
  if (history.items.length === 0) lines.push('  (no promotions yet)')
  const rows = history.items.map((item) => [
    item.current ? '*' : ' ',
    item.timestamp.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    item.event,
    `v${String(item.version)}`,
    item.runId?.slice(0, 8) ?? '-',
    formatScore(item.dice),
    formatScore(item.iou),
    item.baselineDice === null || item.dice === null ? '' : `Dice ${formatDelta(item.dice - item.baselineDice)}`,
    describe(item),
  ])
  const header = [' ', 'when', 'event', 'version', 'run', 'Dice', 'IoU', 'vs previous', 'note']
  if (rows.length > 0) {
    const table = [header, ...rows]
    const widths = header.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length)))
    for (const row of table)
      lines.push(`  ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')}`.trimEnd())
  }
  lines.push('')
  if (!history.registryConsulted) {
    const last = history.items.at(-1)
    lines.push(
      `Registry not consulted (--no-registry): ${last === undefined ? 'the history file records no production model' : `the history file's last entry made v${String(last.version)} production`}.`,
    )
  } else if (history.registryProblem !== undefined) lines.push(`Registry not consulted: ${history.registryProblem}`)
  else
    lines.push(`Production now: ${history.currentVersion === null ? 'none' : `v${history.currentVersion}`} (registry)`)
  for (const problem of history.fileProblems)
    lines.push(`History file line ${String(problem.line)} skipped: ${problem.message}`)
  return lines.join('\n')
}

function describe(item: HistoryItem): string {
  const parts: string[] = []
  if (item.previousVersion !== null) parts.push(`replaced v${String(item.previousVersion)}`)
  else if (item.event === 'promote') parts.push('first model')
  if (item.gateOutcome !== undefined) parts.push(`gate: ${item.gateOutcome}`)
  if (item.reason !== undefined) parts.push(item.reason)
  if (item.source === 'registry') parts.push('(from registry tags)')
  return parts.join('; ')
}

function fromEntry(entry: ProductionHistoryEntry): HistoryItem {
  const metric = (key: string) => {
    const value = entry.metrics[key]
    return typeof value === 'number' ? value : null
  }
  const item: HistoryItem = {
    event: entry.event,
    version: entry.version,
    runId: entry.run_id,
    timestamp: entry.timestamp,
    previousVersion: entry.previous_version,
    // The old file logged final_test_* among all run metrics.
    dice: metric('dice') ?? metric(finalTestMetric('dice')),
    iou: metric('iou') ?? metric(finalTestMetric('iou')),
    baselineDice: entry.baseline?.dice ?? null,
    baselineIou: entry.baseline?.iou ?? null,
    source: 'history-file',
    current: false,
  }
  if (entry.gate_outcome !== undefined) item.gateOutcome = entry.gate_outcome
  if (entry.reason !== undefined) item.reason = entry.reason
  return item
}

function numberTag(value: string | undefined): number | null {
  const number = Number(value)
  return value === undefined || !Number.isFinite(number) ? null : number
}
