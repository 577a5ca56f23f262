import { z } from 'zod'
import type { QaPolicy } from '../config/qa-policy.js'
import { compareIssues, type QaIssue } from './issue.js'
import { foregroundFraction, orientedSize, type ProbedFile, type ProbedSample } from './probe.js'
import { quantile } from './robust-stats.js'
import { QA_RULE_IDS, QA_SEVERITIES, type QaRuleId } from './rule-catalog.js'

/**
 * The QA report (`schemaVersion: 1`): one entry per issue plus a summary and per-pair facts. The CLI writes it as
 * JSON, the PR body embeds its Markdown rendering, the app shows it; all of them read this schema.
 */

/** Version of the report format; bumped on any incompatible change. */
export const QA_REPORT_SCHEMA_VERSION = 1

const RuleIdSchema = z.enum(QA_RULE_IDS as [QaRuleId, ...QaRuleId[]])

/** One issue as stored in a report. */
export const QaIssueSchema = z.object({
  ruleId: RuleIdSchema,
  severity: z.enum(QA_SEVERITIES),
  sampleId: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
  fixable: z.boolean(),
})

const FileFactsSchema = z.object({
  relpath: z.string(),
  bytes: z.number().int().nonnegative(),
  md5: z.string().optional(),
  format: z.string().optional(),
  /** Size after EXIF orientation. */
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  orientation: z.number().int().optional(),
  phash: z.string().optional(),
  /** Foreground share (masks). */
  foreground: z.number().optional(),
})

/** Facts about one file of a pair, as stored in a report. */
export type QaFileFacts = z.infer<typeof FileFactsSchema>

/** One pair's facts and issue counts. */
export const QaSampleSummarySchema = z.object({
  sampleId: z.string(),
  image: FileFactsSchema,
  mask: FileFactsSchema,
  errors: z.number().int().nonnegative(),
  warnings: z.number().int().nonnegative(),
  infos: z.number().int().nonnegative(),
})

/** One pair's facts and issue counts. */
export type QaSampleSummary = z.infer<typeof QaSampleSummarySchema>

/** The numbers at the top of a report. */
export const QaSummarySchema = z.object({
  pairs: z.number().int().nonnegative(),
  /** Files that could not be paired (orphans, unsupported, ambiguous). */
  unpairedFiles: z.number().int().nonnegative(),
  /** Pairs with at least one error. */
  pairsWithErrors: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  warnings: z.number().int().nonnegative(),
  infos: z.number().int().nonnegative(),
  /** Issue count per rule id (rules with none are left out). */
  byRule: z.record(z.string(), z.number().int().nonnegative()),
  /** Issues the fix would resolve. */
  fixable: z.number().int().nonnegative(),
  bytes: z.object({ images: z.number(), masks: z.number(), total: z.number() }),
  /** Image sizes after EXIF orientation, most common first. */
  resolutions: z.array(z.object({ width: z.number(), height: z.number(), count: z.number() })),
  /** EXIF orientation value → number of images. */
  orientations: z.record(z.string(), z.number()),
  /** Images stored rotated (EXIF orientation other than 1). */
  rotated: z.number().int().nonnegative(),
  /** Foreground share of masks: median, 10th and 90th percentile (null without masks). */
  foreground: z.object({ median: z.number(), p10: z.number(), p90: z.number() }).nullable(),
})

/** The numbers at the top of a report. */
export type QaSummary = z.infer<typeof QaSummarySchema>

/** A QA report. */
export const QaReportSchema = z.object({
  schemaVersion: z.literal(QA_REPORT_SCHEMA_VERSION),
  /** True when there is no error (warnings allowed). */
  passed: z.boolean(),
  /** True when the run was cancelled; the report then covers only what finished. */
  cancelled: z.boolean(),
  /** Where the pairs came from (folders or files, as given). */
  inputs: z.array(z.string()),
  /** Existing-dataset entries compared against (0 without `--against`). */
  againstEntries: z.number().int().nonnegative(),
  policy: z.record(z.string(), z.unknown()),
  summary: QaSummarySchema,
  issues: z.array(QaIssueSchema),
  samples: z.array(QaSampleSummarySchema),
})

/** A QA report. */
export type QaReport = z.infer<typeof QaReportSchema>

/** The report-facing facts of a probed file. */
export function fileFacts(file: ProbedFile): QaFileFacts {
  const facts: QaFileFacts = { relpath: file.relpath, bytes: file.bytes }
  if (file.md5 !== undefined) facts.md5 = file.md5
  if (file.format !== undefined) facts.format = file.format
  if (!file.ok) return facts
  const shown = orientedSize(file.header)
  facts.width = shown.width
  facts.height = shown.height
  facts.orientation = file.header.orientation
  if (file.phash !== undefined) facts.phash = file.phash
  if (file.mask !== undefined) facts.foreground = foregroundFraction(file.mask)
  return facts
}

/** What {@link assembleQaReport} puts together. */
export interface QaReportInput {
  inputs: readonly string[]
  policy: QaPolicy
  samples: readonly ProbedSample[]
  issues: readonly QaIssue[]
  /** Files that could not be paired. */
  unpairedFiles?: number
  againstEntries?: number
  cancelled?: boolean
}

/** Builds the report: sorted issues, per-sample facts and the summary. Pure and deterministic. */
export function assembleQaReport(input: QaReportInput): QaReport {
  const issues = [...input.issues].sort(compareIssues)
  const counts = new Map<string, { errors: number; warnings: number; infos: number }>()
  const byRuleCounts = new Map<QaRuleId, number>()
  let errors = 0
  let warnings = 0
  let infos = 0
  let fixable = 0
  for (const issue of issues) {
    const slot = counts.get(issue.sampleId) ?? { errors: 0, warnings: 0, infos: 0 }
    if (issue.severity === 'error') {
      errors += 1
      slot.errors += 1
    } else if (issue.severity === 'warning') {
      warnings += 1
      slot.warnings += 1
    } else {
      infos += 1
      slot.infos += 1
    }
    if (issue.fixable) fixable += 1
    counts.set(issue.sampleId, slot)
    byRuleCounts.set(issue.ruleId, (byRuleCounts.get(issue.ruleId) ?? 0) + 1)
  }
  const byRule: Record<string, number> = {}
  for (const ruleId of QA_RULE_IDS) {
    const count = byRuleCounts.get(ruleId)
    if (count !== undefined) byRule[ruleId] = count
  }
  const samples = [...input.samples]
    .sort((a, b) => (a.sampleId < b.sampleId ? -1 : a.sampleId > b.sampleId ? 1 : 0))
    .map((sample) => ({
      sampleId: sample.sampleId,
      image: fileFacts(sample.image),
      mask: fileFacts(sample.mask),
      ...(counts.get(sample.sampleId) ?? { errors: 0, warnings: 0, infos: 0 }),
    }))
  const pairsWithErrors = samples.filter((sample) => sample.errors > 0).length
  return {
    schemaVersion: QA_REPORT_SCHEMA_VERSION,
    passed: errors === 0 && input.cancelled !== true,
    cancelled: input.cancelled === true,
    inputs: [...input.inputs],
    againstEntries: input.againstEntries ?? 0,
    policy: { ...input.policy },
    summary: {
      pairs: samples.length,
      unpairedFiles: input.unpairedFiles ?? 0,
      pairsWithErrors,
      errors,
      warnings,
      infos,
      byRule,
      fixable,
      ...datasetFigures(input.samples),
    },
    issues,
    samples,
  }
}

function datasetFigures(
  samples: readonly ProbedSample[],
): Pick<QaSummary, 'bytes' | 'resolutions' | 'orientations' | 'rotated' | 'foreground'> {
  let images = 0
  let masks = 0
  let rotated = 0
  const resolutions = new Map<string, { width: number; height: number; count: number }>()
  const orientations: Record<string, number> = {}
  const fractions: number[] = []
  for (const sample of samples) {
    images += sample.image.bytes
    masks += sample.mask.bytes
    if (sample.image.ok) {
      const { width, height } = orientedSize(sample.image.header)
      const key = `${String(width)}x${String(height)}`
      const slot = resolutions.get(key) ?? { width, height, count: 0 }
      slot.count += 1
      resolutions.set(key, slot)
      const orientation = String(sample.image.header.orientation)
      orientations[orientation] = (orientations[orientation] ?? 0) + 1
      if (sample.image.header.orientation !== 1) rotated += 1
    }
    if (sample.mask.ok && sample.mask.mask !== undefined) fractions.push(foregroundFraction(sample.mask.mask))
  }
  const sortedResolutions = [...resolutions.values()].sort(
    (a, b) => b.count - a.count || b.width * b.height - a.width * a.height || b.width - a.width,
  )
  const median = quantile(fractions, 0.5)
  return {
    bytes: { images, masks, total: images + masks },
    resolutions: sortedResolutions,
    orientations,
    rotated,
    foreground:
      median === undefined
        ? null
        : { median, p10: quantile(fractions, 0.1) ?? median, p90: quantile(fractions, 0.9) ?? median },
  }
}
