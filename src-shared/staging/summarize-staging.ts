import type { PairStatus, StagedIssue, StagedPair, StagingSummary } from './staging-types.js'

/** A pair's status from its QA findings: the worst severity wins; info never colours a pair. */
export function statusFromIssues(issues: readonly StagedIssue[]): Exclude<PairStatus, 'pending' | 'checking'> {
  if (issues.some((issue) => issue.severity === 'error')) return 'error'
  if (issues.some((issue) => issue.severity === 'warning')) return 'warning'
  return 'ok'
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0
  const index = Math.min(sorted.length - 1, Math.max(0, Math.round((sorted.length - 1) * p)))
  return sorted[index] ?? 0
}

/** The numbers the summary panel and the review screen show, from the staged pairs. */
export function summarizeStaging(pairs: readonly StagedPair[]): StagingSummary {
  const byStatus: Record<PairStatus, number> = { pending: 0, checking: 0, ok: 0, warning: 0, error: 0 }
  const rules = new Map<string, { ruleId: string; severity: StagedIssue['severity']; count: number }>()
  const coverage: number[] = []
  const resolutions: Record<string, number> = {}
  let bytes = 0
  for (const pair of pairs) {
    byStatus[pair.status] += 1
    bytes += (pair.image?.bytes ?? 0) + (pair.mask?.bytes ?? 0)
    for (const issue of pair.issues) {
      const entry = rules.get(issue.ruleId) ?? { ruleId: issue.ruleId, severity: issue.severity, count: 0 }
      entry.count += 1
      rules.set(issue.ruleId, entry)
    }
    if (pair.foreground !== undefined) coverage.push(pair.foreground)
    if (pair.width !== undefined && pair.height !== undefined) {
      const key = `${String(pair.width)}×${String(pair.height)}`
      resolutions[key] = (resolutions[key] ?? 0) + 1
    }
  }
  coverage.sort((a, b) => a - b)
  const order = { error: 0, warning: 1, info: 2 }
  return {
    pairs: pairs.length,
    bytes,
    byStatus,
    byRule: [...rules.values()].sort((a, b) => order[a.severity] - order[b.severity] || b.count - a.count),
    coverage:
      coverage.length === 0
        ? null
        : { p10: percentile(coverage, 0.1), median: percentile(coverage, 0.5), p90: percentile(coverage, 0.9) },
    resolutions,
    checked: byStatus.ok + byStatus.warning + byStatus.error,
  }
}
