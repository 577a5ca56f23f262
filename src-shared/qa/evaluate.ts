import type { QaPolicy } from '../config/qa-policy.js'
import type { PairingProblem } from '../dataset/pairing.js'
import type { DatasetIndexEntry } from './dataset-index.js'
import { duplicateIssues } from './duplicate-rules.js'
import { fileIssues } from './file-rules.js'
import { compareIssues, type QaIssue } from './issue.js'
import { geometryIssues, maskIssues } from './mask-rules.js'
import { outlierIssues } from './outlier-rules.js'
import { pairingIssues } from './pairing-rules.js'
import type { ProbedSample } from './probe.js'

/**
 * The rule list, by structure: the app's preview, the git hook and CI all call these two functions, so they judge
 * the same probed values the same way.
 */

/** Rules that judge one pair on its own (files, geometry, masks, privacy); they can run as soon as it is probed. */
export const SAMPLE_RULES: readonly ((sample: ProbedSample, policy: QaPolicy) => QaIssue[])[] = [
  fileIssues,
  geometryIssues,
  maskIssues,
]

/** Every per-pair issue of one probed pair, in report order. */
export function evaluateSample(sample: ProbedSample, policy: QaPolicy): QaIssue[] {
  return SAMPLE_RULES.flatMap((rule) => rule(sample, policy)).sort(compareIssues)
}

/** What the dataset-level rules look at. */
export interface DatasetRuleInput {
  samples: readonly ProbedSample[]
  pairingProblems: readonly PairingProblem[]
  /** The existing dataset's files (empty when QA runs without `--against`). */
  existing?: readonly DatasetIndexEntry[]
  /** Stems marked as replacements of existing pairs. */
  replacements?: ReadonlySet<string>
}

/** Issues that need the whole upload: pairing, duplicates (within and against the dataset), outliers. */
export function evaluateDataset(input: DatasetRuleInput, policy: QaPolicy): QaIssue[] {
  const existing = input.existing ?? []
  return [
    ...pairingIssues(input.pairingProblems),
    ...duplicateIssues(input.samples, { existing, replacements: input.replacements ?? new Set() }, policy),
    ...outlierIssues(input.samples, existing, policy),
  ].sort(compareIssues)
}
