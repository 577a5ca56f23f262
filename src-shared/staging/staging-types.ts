import { z } from 'zod'
import { QaIssueSchema } from '../qa/report.js'
import { QA_RULE_IDS, type QaRuleId } from '../qa/rule-catalog.js'
import { STAGING_RULE_IDS, type StagingRuleId } from './staging-rules.js'

/**
 * The staging area: pairs an annotator has added in the app but not yet submitted. It lives in the workspace's
 * app data (`.wms/staging/`), so it survives restarts and crashes until it is pushed.
 */

/**
 * One finding on a staged pair: the QA engine's issue, as its report schema defines it, or a finding of the
 * staging area itself (`staging/already-submitted`, see staging-rules.ts).
 */
export const StagedIssueSchema = QaIssueSchema.extend({
  ruleId: z.enum([...QA_RULE_IDS, ...STAGING_RULE_IDS] as [QaRuleId | StagingRuleId, ...(QaRuleId | StagingRuleId)[]]),
})

/** A QA finding on a staged pair. */
export type StagedIssue = z.infer<typeof StagedIssueSchema>

/** A staged file: where it will land in the dataset, and which bytes. */
export const StagedFileSchema = z.object({
  /** Path inside the dataset folder (`images/<name>` or `masks/<name>`). */
  relpath: z.string(),
  /** The name it had when it was added. */
  originalName: z.string(),
  md5: z.string(),
  bytes: z.number().int().nonnegative(),
  /** True when this is a normalised copy written by a fix (the original is kept too). */
  fixed: z.boolean(),
})

/** A staged file. */
export type StagedFile = z.infer<typeof StagedFileSchema>

/** Where a pair stands: waiting for QA, being checked, or checked with its worst finding. */
export const PAIR_STATUSES = ['pending', 'checking', 'ok', 'warning', 'error'] as const

/** A staged pair's status. */
export type PairStatus = (typeof PAIR_STATUSES)[number]

/** One staged sample: its image, its mask, its QA findings and what was done to it. */
export const StagedPairSchema = z.object({
  /** Stable id (the stem), unique in the staging area. */
  id: z.string(),
  image: StagedFileSchema.nullable(),
  mask: StagedFileSchema.nullable(),
  status: z.enum(PAIR_STATUSES),
  issues: z.array(StagedIssueSchema),
  /** Fixes applied, in order (`bake-orientation`, `strip-metadata`, `binarise-mask`). */
  fixes: z.array(z.string()),
  /** Declared as a replacement of the dataset's pair with the same name (not a collision). */
  replacement: z.boolean(),
  /** Size after EXIF orientation, once probed. */
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  /** Share of mask pixels that are foreground, once probed. */
  foreground: z.number().min(0).max(1).optional(),
  /** Bumped whenever a file of the pair changes, so thumbnails are never stale. */
  revision: z.number().int().nonnegative(),
  /** Why QA could not check this revision of the pair (the QA run failed); a retry checks it again. */
  qaError: z.string().optional(),
  /**
   * The last model check of this revision (Models → Try it, issue 17): a registry version's prediction compared with
   * the annotator's mask. `disagrees` flags a possibly wrong mask; it is not a QA finding and blocks nothing.
   */
  modelCheck: z
    .object({
      version: z.string(),
      dice: z.number().min(0).max(1),
      iou: z.number().min(0).max(1),
      disagrees: z.boolean(),
      checkedAt: z.string(),
    })
    .optional(),
  /** True when the fixes were applied by the staging area on add (format-only findings), not by the user. */
  autoFixed: z.boolean().optional(),
  /** When the pair was first added (ms since the epoch), for "newest first". */
  addedAt: z.number().optional(),
})

/** A staged pair. */
export type StagedPair = z.infer<typeof StagedPairSchema>

/** Files that are staged but do not form a pair (an image without a mask, an unsupported file). */
export const StagedProblemSchema = z.object({
  id: z.string(),
  /** The files involved, by the names they had when they were added. */
  files: z.array(z.string()),
  issue: StagedIssueSchema,
})

/** A staged file that is not part of a pair. */
export type StagedProblem = z.infer<typeof StagedProblemSchema>

/** Dataset-level QA summary of the staged set. */
export const StagingSummarySchema = z.object({
  pairs: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  byStatus: z.record(z.enum(PAIR_STATUSES), z.number().int().nonnegative()),
  byRule: z.array(z.object({ ruleId: z.string(), severity: z.enum(['error', 'warning', 'info']), count: z.number() })),
  /** Foreground coverage percentiles (0–1) over checked pairs. */
  coverage: z.object({ p10: z.number(), median: z.number(), p90: z.number() }).nullable(),
  /** `WxH` → count. */
  resolutions: z.record(z.string(), z.number()),
  /** QA progress: checked pairs out of all pairs. */
  checked: z.number().int().nonnegative(),
})

/** Summary of the staged set. */
export type StagingSummary = z.infer<typeof StagingSummarySchema>

/** What a submit will push: shown on the review screen before anything leaves the machine. */
export const SubmitPreviewSchema = z.object({
  branch: z.string(),
  message: z.string(),
  pairs: z.number().int().nonnegative(),
  files: z.array(z.object({ relpath: z.string(), bytes: z.number().int().nonnegative() })),
  bytes: z.number().int().nonnegative(),
  remote: z.object({ name: z.string(), url: z.string() }),
  /** Reasons the submit is refused (errors left, nothing staged, no remote); empty when it may go. */
  blockers: z.array(z.string()),
  /** Pairs with warnings that will be pushed anyway. */
  warnings: z.number().int().nonnegative(),
  /** Staged files without a partner: they stay staged and are not pushed. */
  unpairedFiles: z.number().int().nonnegative(),
  /** The pairs that would go, in order (thumbnails on the review screen). */
  pairIds: z.array(z.string()),
  /** Pairs that cannot go as they are, each with the reason (errors, QA not done, GPS not allowed). */
  blocked: z.array(z.object({ id: z.string(), reason: z.string() })),
  /** Pairs that would go while leaving the blocked ones staged ("submit the others"). */
  ready: z.number().int().nonnegative(),
  /** Pairs whose photo still records where it was taken; they go only when the user allows it. */
  gps: z.array(z.string()),
})

/** The review screen's content. */
export type SubmitPreview = z.infer<typeof SubmitPreviewSchema>

/** Where a submission stands. */
export const SubmissionStateSchema = z.object({
  branch: z.string(),
  message: z.string(),
  phase: z.enum(['committing', 'pushing', 'queued', 'pushed', 'failed']),
  /** Ids of the pairs in this submission (they leave the staging area once pushed). */
  pairIds: z.array(z.string()),
  /** Push progress, 0–1, when known, and git's stage (`Writing objects`). */
  progress: z.number().min(0).max(1).optional(),
  stage: z.string().optional(),
  commit: z.string().optional(),
  /** The error of the last attempt (queued = will retry; failed = needs the user). */
  error: z
    .object({ code: z.string(), message: z.string(), hint: z.string().optional(), retryable: z.boolean().optional() })
    .optional(),
  nextRetryAt: z.number().int().optional(),
  attempts: z.number().int().nonnegative(),
  /** Something the user must hear about this submission (it was interrupted by a crash and resumed or undone). */
  notice: z.string().optional(),
})

/** A submission's state. */
export type SubmissionState = z.infer<typeof SubmissionStateSchema>

/** The staging area's workspace settings (kept with the staging area, under `.wms/`). */
export const StagingSettingsSchema = z.object({
  /** Apply the safe format-only fixes (lossy masks, GPS, EXIF orientation) as pairs are added. */
  fixOnAdd: z.boolean(),
})

/** The staging area's settings. */
export type StagingSettings = z.infer<typeof StagingSettingsSchema>

/** The staging area's settings when the user has not chosen: fix format findings on add. */
export const DEFAULT_STAGING_SETTINGS: StagingSettings = { fixOnAdd: true }

/** The whole staging area as the renderer sees it. */
export const StagingSnapshotSchema = z.object({
  pairs: z.array(StagedPairSchema),
  problems: z.array(StagedProblemSchema),
  summary: StagingSummarySchema,
  /** Present while a submission is queued or running, or after it failed. */
  submission: SubmissionStateSchema.nullable(),
  settings: StagingSettingsSchema,
  /** What the last edit that can be undone did (`Removed pair x`), or null. */
  undo: z.string().nullable(),
})

/** The staging area. */
export type StagingSnapshot = z.infer<typeof StagingSnapshotSchema>

/**
 * The path of a file the renderer sends to be staged, as dropped or picked, relative to what the user chose
 * (`incoming/images/a.jpg`, `a_mask.png`). Refused at the door: `..` segments, and NUL or other control characters
 * (git and the file system cannot hold them, so they would only fail later, at submit).
 */
export const UploadPathSchema = z
  .string()
  .min(1)
  .max(1024)
  .refine((value) => !value.split(/[\\/]/).includes('..'), 'must not contain ".."')
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'must not contain NUL or other control characters')

/**
 * The id of a staged pair (its stem, a file name without extension). It names entries of the staging manifest,
 * so it is never a path: no separators, no `.`/`..`, no control characters.
 */
export const PairIdSchema = z
  .string()
  .min(1)
  .max(512)
  .refine((value) => !/[\\/]/.test(value) && value !== '.' && value !== '..', 'must be a pair id, not a path')
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'must not contain NUL or other control characters')
