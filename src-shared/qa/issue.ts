import { QA_RULES, type QaRuleId, type QaSeverity } from './rule-catalog.js'

/** One problem found by QA: which rule, how bad, which sample, what to do, and the numbers behind it. */
export interface QaIssue {
  ruleId: QaRuleId
  severity: QaSeverity
  /** The pair's stem, or a file's path when it belongs to no pair. */
  sampleId: string
  /** Names the file, says what is wrong, why it matters for training and what to do. */
  message: string
  /** Machine-readable facts (sizes, values, the other file of a duplicate, …). */
  details: Record<string, unknown>
  /** True when the fix writes a copy without this problem. */
  fixable: boolean
}

/**
 * Builds an issue of `ruleId` for `sampleId`: `what` is the specific finding ("masks/x.jpg is 1000×1333 but …");
 * the rule's why and action follow, unless `action` overrides the latter.
 */
export function makeIssue(
  ruleId: QaRuleId,
  sampleId: string,
  what: string,
  details: Record<string, unknown> = {},
  action?: string,
): QaIssue {
  const spec = QA_RULES[ruleId]
  const end = /[.!?]$/.test(what) ? '' : '.'
  return {
    ruleId,
    severity: spec.severity,
    sampleId,
    message: `${what}${end} ${spec.why} ${action ?? spec.action}`,
    details,
    fixable: spec.fixable,
  }
}

const SEVERITY_ORDER: Record<QaSeverity, number> = { error: 0, warning: 1, info: 2 }

/** Report order: errors first, then by sample, then by rule. */
export function compareIssues(a: QaIssue, b: QaIssue): number {
  return (
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    (a.sampleId < b.sampleId ? -1 : a.sampleId > b.sampleId ? 1 : 0) ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)
  )
}
