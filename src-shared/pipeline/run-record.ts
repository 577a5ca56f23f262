import { z } from 'zod'
import { GateVerdictSchema } from '../gate/verdict.js'

/**
 * The per-branch run record of the data pipeline (merge → qa → train → gate → promote → publish): what each step
 * did, and the verdict. The runner writes it atomically after every step under `.wms/pipeline/`; the app, the
 * GitHub publisher and `training-runner pipeline status` read it. Pure schema, shared by all of them.
 */

/** The pipeline's steps, in order. */
export const PIPELINE_RUN_STEPS = ['merge', 'qa', 'train', 'gate', 'promote', 'publish'] as const

/** One step of the pipeline. */
export type PipelineRunStep = (typeof PIPELINE_RUN_STEPS)[number]

/** Where a step stands. */
export const STEP_STATUSES = ['pending', 'running', 'ok', 'failed', 'skipped'] as const

const StepStateSchema = z.object({
  status: z.enum(STEP_STATUSES),
  startedAt: z.number().optional(),
  seconds: z.number().nonnegative().optional(),
  summary: z.string().optional(),
})

/** A step's state in the record. */
export type StepState = z.infer<typeof StepStateSchema>

const CountsSchema = z.object({
  existing: z.number().int().nonnegative(),
  new: z.number().int().nonnegative(),
  replaced: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
})

/** What the merge step produced: main's commit it merged into, the counts, and the new `.dvc` files' text. */
export const MergeOutputSchema = z.object({
  main: z.string(),
  status: z.enum(['merged', 'nothing-new']),
  images: CountsSchema,
  files: CountsSchema,
  added: z.array(z.string()),
  replaced: z.array(z.object({ path: z.string(), reason: z.string() })),
  /** Repository-relative path of each `.dvc` file → its new content. */
  dvcFiles: z.record(z.string(), z.string()),
})

/** A QA finding as the record keeps it (the first ones; the count says how many there were). */
export const QaFindingSchema = z.object({
  sampleId: z.string(),
  ruleId: z.string(),
  severity: z.string(),
  message: z.string(),
})

/** What the QA step found over the merged dataset. */
export const QaOutputSchema = z.object({
  passed: z.boolean(),
  pairs: z.number().int().nonnegative(),
  pairsWithErrors: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  warnings: z.number().int().nonnegative(),
  findings: z.array(QaFindingSchema),
})

/** What training produced. */
export const TrainOutputSchema = z.object({
  runId: z.string(),
  experiment: z.string().nullable(),
  epochs: z.number().int().nonnegative(),
  bestEpoch: z.number().int().nonnegative(),
  counts: z.object({ train: z.number(), val: z.number(), test: z.number() }),
  test: z.object({ dice: z.number(), iou: z.number() }).nullable(),
  backend: z.string(),
})

/** What promotion did. */
export const PromoteOutputSchema = z.object({
  modelName: z.string(),
  version: z.string(),
  previousVersion: z.string().nullable(),
  promotedAt: z.string(),
})

/** What publishing did. */
export const PublishOutputSchema = z.object({
  /** The commit on main that carries the merged `.dvc` files and the production files. */
  mainCommit: z.string(),
  branchDeleted: z.boolean(),
  /** GitHub (issue 16): the PR the publish commit went through; `autoMerge` while GitHub still waits for checks. */
  pullRequest: z.object({ number: z.number(), url: z.string(), autoMerge: z.boolean() }).optional(),
})

/** How a run ended (or `null` while it runs). */
export const VERDICT_OUTCOMES = ['merged', 'not-improved', 'refused', 'failed'] as const

/** The pipeline's verdict: what happened, what was wrong, what to do. */
export const PipelineVerdictSchema = z.object({
  outcome: z.enum(VERDICT_OUTCOMES),
  /** The step that decided. */
  step: z.enum(PIPELINE_RUN_STEPS),
  headline: z.string(),
  details: z.array(z.string()),
  /** What the user should do next. */
  action: z.string(),
  /** The error code, when a step failed. */
  code: z.string().optional(),
})

/** The pipeline's verdict. */
export type PipelineVerdict = z.infer<typeof PipelineVerdictSchema>

/** Where the whole run stands. */
export const RUN_STATUSES = ['running', 'interrupted', 'done'] as const

/** The run record of one branch. */
export const PipelineRunRecordSchema = z.object({
  version: z.literal(1),
  branch: z.string(),
  /** The branch commit the run works on. */
  commit: z.string(),
  status: z.enum(RUN_STATUSES),
  startedAt: z.number(),
  updatedAt: z.number(),
  finishedAt: z.number().nullable(),
  /** The process working on it (a `running` record whose process is gone was interrupted). */
  holder: z.object({ host: z.string(), pid: z.number() }).nullable(),
  /** The MLflow run training created (ended FAILED/KILLED when the pipeline stops before it finished). */
  mlflowRunId: z.string().nullable(),
  steps: z.object(
    Object.fromEntries(PIPELINE_RUN_STEPS.map((step) => [step, StepStateSchema])) as Record<
      PipelineRunStep,
      typeof StepStateSchema
    >,
  ),
  merge: MergeOutputSchema.nullable(),
  qa: QaOutputSchema.nullable(),
  train: TrainOutputSchema.nullable(),
  gate: GateVerdictSchema.nullable(),
  promote: PromoteOutputSchema.nullable(),
  publish: PublishOutputSchema.nullable(),
  verdict: PipelineVerdictSchema.nullable(),
  /** File name of the Markdown report next to the record. */
  report: z.string().nullable(),
})

/** The run record of one branch. */
export type PipelineRunRecord = z.infer<typeof PipelineRunRecordSchema>
export type MergeOutput = z.infer<typeof MergeOutputSchema>
export type QaOutput = z.infer<typeof QaOutputSchema>
export type TrainOutput = z.infer<typeof TrainOutputSchema>
export type PromoteOutput = z.infer<typeof PromoteOutputSchema>
export type PublishOutput = z.infer<typeof PublishOutputSchema>

/** A new record for `branch` at `commit`, every step pending. */
export function newRunRecord(branch: string, commit: string, now: number): PipelineRunRecord {
  const pending: StepState = { status: 'pending' }
  return {
    version: 1,
    branch,
    commit,
    status: 'running',
    startedAt: now,
    updatedAt: now,
    finishedAt: null,
    holder: null,
    mlflowRunId: null,
    steps: Object.fromEntries(PIPELINE_RUN_STEPS.map((step) => [step, { ...pending }])) as Record<
      PipelineRunStep,
      StepState
    >,
    merge: null,
    qa: null,
    train: null,
    gate: null,
    promote: null,
    publish: null,
    verdict: null,
    report: null,
  }
}

/** File name of a branch's record (`data/20260101-120000` → `data--20260101-120000.json`). */
export function runRecordName(branch: string): string {
  return `${branch.replace(/\//g, '--').replace(/[^A-Za-z0-9._-]/g, '_')}.json`
}
