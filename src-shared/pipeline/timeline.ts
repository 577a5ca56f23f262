import { z } from 'zod'
import { AppErrorSchema } from '../errors.js'
import { GATE_OUTCOMES, ImageDeltaSchema } from '../gate/verdict.js'
import { PipelineVerdictSchema } from './run-record.js'

/**
 * One data branch's pipeline as the app draws it: pushed → merge & QA → training → gate → promotion → merged.
 * Built from whichever status source the workspace has (the local runner's run records and event log, or GitHub
 * Actions + MLflow) and advanced live by pipeline events. Pure data, shared by main (which builds it) and the
 * renderer (which draws it and applies live events to it).
 */

/** The timeline's stages, in order. */
export const TIMELINE_STAGES = ['pushed', 'merge-qa', 'training', 'gate', 'promotion', 'merged'] as const

/** One stage of the timeline. */
export type TimelineStageId = (typeof TIMELINE_STAGES)[number]

/** Where a stage stands; the word next to its icon says it for people (`passed`, `rejected`, `promoted v3`). */
export const STAGE_STATUSES = ['waiting', 'running', 'done', 'failed', 'skipped'] as const

/** A stage's status. */
export type StageStatus = (typeof STAGE_STATUSES)[number]

/** A link to the outside world (a workflow run, a PR, an MLflow run); opened in the system browser. */
export const ExternalLinkSchema = z.object({ href: z.string(), label: z.string() })

/** A link to the outside world. */
export type ExternalLink = z.infer<typeof ExternalLinkSchema>

/** One stage as drawn. */
export const TimelineStageSchema = z.object({
  id: z.enum(TIMELINE_STAGES),
  status: z.enum(STAGE_STATUSES),
  /** The status in one or two words (`passed`, `rejected`, `promoted v3`, `epoch 4/10`). */
  word: z.string(),
  startedAt: z.number().nullable(),
  seconds: z.number().nonnegative().nullable(),
  summary: z.string().nullable(),
  link: ExternalLinkSchema.nullable(),
})

/** One stage as drawn. */
export type TimelineStage = z.infer<typeof TimelineStageSchema>

const maybe = z.number().nullable()

/** One epoch of the training curves, as logged (validation scores are null without a validation split). */
export const CurvePointSchema = z.object({
  epoch: z.number().int().min(1),
  trainLoss: maybe,
  valLoss: maybe,
  trainDice: maybe,
  valDice: maybe,
})

/** One epoch of the training curves. */
export type CurvePoint = z.infer<typeof CurvePointSchema>

/** Training as far as it got: the epoch, and the loss and Dice curves. */
export const TrainingProgressSchema = z.object({
  runId: z.string().nullable(),
  epoch: z.number().int().nonnegative(),
  epochs: z.number().int().positive().nullable(),
  curve: z.array(CurvePointSchema),
})

/** Training as far as it got. */
export type TrainingProgress = z.infer<typeof TrainingProgressSchema>

/** A test image's change from production to the candidate, with a thumbnail's media path when the image is here. */
export const ImageDeltaViewSchema = ImageDeltaSchema.extend({ thumb: z.string().nullable() })

/** A test image's change, with its thumbnail. */
export type ImageDeltaView = z.infer<typeof ImageDeltaViewSchema>

/** The gate's verdict as the timeline shows it: candidate against production, why, and per-image deltas. */
export const GateSummarySchema = z.object({
  pass: z.boolean(),
  outcome: z.enum(GATE_OUTCOMES).nullable(),
  headline: z.string(),
  reasons: z.array(z.string()),
  candidate: z.object({ runId: z.string().nullable(), dice: maybe, iou: maybe }),
  production: z.object({ version: z.string().nullable(), dice: maybe, iou: maybe }).nullable(),
  testImages: z.number().int().nonnegative().nullable(),
  /** Null until the full verdict is read (a live `gate` event carries no per-image scores). */
  perImage: z
    .object({
      compared: z.number().int().nonnegative(),
      improved: z.number().int().nonnegative(),
      regressed: z.number().int().nonnegative(),
      best: z.array(ImageDeltaViewSchema),
      worst: z.array(ImageDeltaViewSchema),
    })
    .nullable(),
})

/** The gate's verdict as shown. */
export type GateSummary = z.infer<typeof GateSummarySchema>

/** Where the whole run stands. */
export const TIMELINE_RUN_STATES = ['queued', 'running', 'interrupted', 'done'] as const

/** One data branch's pipeline. */
export const PipelineTimelineSchema = z.object({
  branch: z.string(),
  commit: z.string(),
  /** When the branch was pushed (its commit time when nothing better is known). */
  pushedAt: z.number().nullable(),
  updatedAt: z.number(),
  /** When the verdict came (null while it runs). */
  finishedAt: z.number().nullable(),
  state: z.enum(TIMELINE_RUN_STATES),
  stages: z.array(TimelineStageSchema),
  /** The latest thing the run said (`Training: epoch 3/10`), for the running stage. */
  message: z.string().nullable(),
  training: TrainingProgressSchema.nullable(),
  gate: GateSummarySchema.nullable(),
  verdict: PipelineVerdictSchema.nullable(),
  /** The workflow run, the PR, the MLflow run, where the source knows them. */
  links: z.array(ExternalLinkSchema),
})

/** One data branch's pipeline. */
export type PipelineTimeline = z.infer<typeof PipelineTimelineSchema>

/** Where pipeline status comes from. */
export const STATUS_SOURCE_KINDS = ['local', 'github'] as const

/** A status source's kind. */
export type StatusSourceKind = (typeof STATUS_SOURCE_KINDS)[number]

/** Whether the shown state is current: `live`, or `offline` (the last known state, `lastSuccessAt` says how old). */
export const FRESHNESS = ['live', 'offline'] as const

/** How fresh the status is, and why not when it is not. */
export const StatusFreshnessSchema = z.object({
  source: z.enum(STATUS_SOURCE_KINDS),
  /** What the source reads, for people (`local runner`, `GitHub Actions (owner/repo) + MLflow`). */
  sourceLabel: z.string(),
  freshness: z.enum(FRESHNESS),
  /** When the source last answered (null: never, in this workspace). */
  lastSuccessAt: z.number().nullable(),
  /** Why the last look failed, while offline. */
  error: AppErrorSchema.nullable(),
  /** When the next look is due (back-off after failures). */
  nextPollAt: z.number().nullable(),
})

/** How fresh the status is. */
export type StatusFreshness = z.infer<typeof StatusFreshnessSchema>

/** Every branch's timeline, newest first, and how fresh they are (`pipeline:get-status`). */
export const PipelineStatusSchema = z.object({
  timelines: z.array(PipelineTimelineSchema),
  freshness: StatusFreshnessSchema,
})

/** Every branch's timeline and how fresh they are. */
export type PipelineStatus = z.infer<typeof PipelineStatusSchema>

/** What changed since the last status (`pipeline:status`): timelines added or changed, branches gone, freshness. */
export const PipelineStatusUpdateSchema = z.object({
  changed: z.array(PipelineTimelineSchema),
  removed: z.array(z.string()),
  freshness: StatusFreshnessSchema,
})

/** What changed since the last status. */
export type PipelineStatusUpdate = z.infer<typeof PipelineStatusUpdateSchema>
