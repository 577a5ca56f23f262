import { findingSpec, type FindingRuleId } from '@wms/shared/staging/staging-rules'
import type { StagedIssue } from '@wms/shared/staging/staging-types'

/** What the app offers beside a finding: the one action that resolves it, as a button. */
export type FindingAction = 'fix' | 'remove' | 'replace-mask' | 'mark-replacement' | 'none'

/** A finding in the app's words: a one-line title, the plain sentence, and the numbers for "details". */
export interface FindingWords {
  title: string
  /** What was found and why it matters, without command-line hints or statistics. */
  sentence: string
  /** The numbers behind it (z-scores, limits, sizes), shown only on request. */
  numbers: string[]
  action: FindingAction
}

const REMOVE_RULES = new Set<FindingRuleId>([
  'duplicate/exact',
  'duplicate/exact-existing',
  'duplicate/already-present',
  'staging/already-submitted',
  'file/corrupt',
  'file/empty',
  'file/unreadable',
  'file/unsupported-format',
  'file/too-large',
  'file/pixel-limit',
  'file/timeout',
  'file/outside-dataset',
])

const MASK_RULES = new Set<FindingRuleId>([
  'mask/colour',
  'mask/not-binary',
  'mask/empty',
  'mask/near-empty',
  'mask/foreground-outlier',
  'mask/inverted',
  'geometry/size-mismatch',
])

function actionFor(issue: StagedIssue): FindingAction {
  if (issue.fixable) return 'fix'
  if (issue.ruleId === 'duplicate/name-collision') return 'mark-replacement'
  if (MASK_RULES.has(issue.ruleId)) return 'replace-mask'
  if (REMOVE_RULES.has(issue.ruleId)) return 'remove'
  return 'none'
}

// Statistics in parentheses ("(robust z -5.2, limit ±3.5)") belong to the details, not to the sentence.
const NUMBERS = /\s*\(([^()]*(?:robust z|limit|±|p\d\d)[^()]*)\)/g

/**
 * Puts a finding in the app's words. The engine's message is written for every reader (CLI, PR comments, the app):
 * "<what was found>. <why> <what to do>". The app shows the rule's title as the line, the what and why as the
 * sentence, and replaces "what to do" by a button; command-line hints stay in the CLI.
 */
export function findingWords(issue: StagedIssue): FindingWords {
  const spec = findingSpec(issue.ruleId)
  let text = issue.message
  const action = text.lastIndexOf(spec.action)
  if (action >= 0) text = text.slice(0, action)
  const numbers = [...text.matchAll(NUMBERS)].map((match) => match[1] ?? '').filter((value) => value !== '')
  text = text.replace(NUMBERS, '').replace(/\s+/g, ' ').trim()
  // Anything else that reads like a command line (backticks, --flags) is left to the CLI.
  text = text.replace(/`[^`]*`/g, '').replace(/\s--[a-z-]+(\s<[^>]+>)?/g, '')
  for (const [key, value] of Object.entries(issue.details)) {
    if (typeof value === 'number') numbers.push(`${key}: ${String(Math.round(value * 1000) / 1000)}`)
  }
  return { title: capitalise(spec.title), sentence: text, numbers, action: actionFor(issue) }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
