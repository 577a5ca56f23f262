import { QA_RULES, type QaRuleId, type QaRuleSpec } from '../qa/rule-catalog.js'

/**
 * Findings of the staging area itself, beside the QA engine's: facts about this workspace's state rather than about
 * the data (a pair that is already on a pushed data branch). They look and count like QA findings in the app, but
 * the hook and CI never see them: a pushed branch is the app's own business.
 */
export const STAGING_RULES = {
  'staging/already-submitted': {
    severity: 'error',
    title: 'already submitted',
    why: 'The same photo is on a data branch that was pushed and is waiting to be merged; submitting it again would add it twice.',
    action: 'Remove this pair; the pipeline merges the pushed branch.',
    fixable: false,
  },
} as const satisfies Record<string, QaRuleSpec>

/** The id of a staging-area finding. */
export type StagingRuleId = keyof typeof STAGING_RULES

/** Every id of a staging-area finding. */
export const STAGING_RULE_IDS = Object.keys(STAGING_RULES) as StagingRuleId[]

/** Any finding's id: a QA rule or a staging-area rule. */
export type FindingRuleId = QaRuleId | StagingRuleId

/** The catalogue entry of any finding (QA rule or staging rule). */
export function findingSpec(ruleId: FindingRuleId): QaRuleSpec {
  return ruleId in STAGING_RULES ? STAGING_RULES[ruleId as StagingRuleId] : QA_RULES[ruleId as QaRuleId]
}

/**
 * Format-only findings with a safe, lossless-in-meaning fix: a JPEG mask thresholded at 127 and stored as PNG, GPS
 * and identifying metadata stripped, the EXIF orientation baked into the pixels, the photo re-encoded as 8-bit sRGB
 * matching its name. The staging area applies them on add (a workspace setting, on by default), so "needs
 * attention" counts only what needs a person. `mask/alpha` is not here: transparency may hide a meaning.
 */
export const AUTO_FIX_RULES: ReadonlySet<FindingRuleId> = new Set<FindingRuleId>([
  'mask/lossy',
  'mask/multi-channel',
  'mask/bit-depth',
  'privacy/gps',
  'privacy/identifying-exif',
  'geometry/rotated-match',
  'geometry/orientation-ambiguous',
  'file/extension-mismatch',
  'image/encoding',
])

/**
 * True when a pair's findings include a format-only one with a safe fix, and nothing else a fix would touch or
 * cannot get past: a fix rewrites the whole pair, so a pair that also has a fixable finding a person should see
 * (transparency in a mask) or an error waits for that person.
 */
export function wantsAutoFix(
  issues: readonly { ruleId: FindingRuleId; severity: string; fixable: boolean }[],
): boolean {
  if (issues.some((issue) => issue.severity === 'error' && !issue.fixable)) return false
  if (issues.some((issue) => issue.fixable && !AUTO_FIX_RULES.has(issue.ruleId))) return false
  return issues.some((issue) => AUTO_FIX_RULES.has(issue.ruleId))
}

/** True when applying the safe fixes would change something: a fixable finding, and no error a fix cannot remove. */
export function canFix(issues: readonly { severity: string; fixable: boolean }[]): boolean {
  if (issues.some((issue) => issue.severity === 'error' && !issue.fixable)) return false
  return issues.some((issue) => issue.fixable)
}
