import { z } from 'zod'
import { AppErrorSchema } from '../errors.js'

/**
 * Pipeline events: the NDJSON lines `training-runner … --events ndjson` writes, which the app forwards to the UI
 * and CI keeps as a log. One discriminated union, shared by the runner, the app and the local pipeline runner.
 */

/** Names of pipeline steps, in their usual order. */
export const PIPELINE_STEPS = [
  'qa',
  'merge',
  'push',
  'train',
  'evaluate',
  'gate',
  'promote',
  'rollback',
  'publish',
  'demo',
] as const

/** A pipeline step name. */
export type PipelineStep = (typeof PIPELINE_STEPS)[number]

const StepSchema = z.enum(PIPELINE_STEPS)
const base = {
  at: z.number().int().nonnegative(),
  /** The data branch a pipeline event belongs to (set by the pipeline, absent for single commands). */
  branch: z.string().optional(),
}

/** Runtime schema of every pipeline event. */
export const PipelineEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('step-start'), ...base, step: StepSchema, title: z.string() }),
  z.object({
    type: z.literal('progress'),
    ...base,
    step: StepSchema,
    done: z.number().nonnegative(),
    total: z.number().nonnegative().optional(),
    unit: z.enum(['pairs', 'files', 'bytes', 'objects', 'steps', 'images']),
    message: z.string().optional(),
    etaSeconds: z.number().nonnegative().optional(),
  }),
  z.object({
    type: z.literal('epoch-end'),
    ...base,
    epoch: z.number().int().min(1),
    epochs: z.number().int().min(1),
    metrics: z.record(z.string(), z.number()),
    learningRate: z.number(),
    seconds: z.number().nonnegative(),
  }),
  z.object({
    type: z.literal('metric'),
    ...base,
    key: z.string(),
    value: z.number(),
    step: z.number().int().optional(),
  }),
  z.object({
    type: z.literal('gate'),
    ...base,
    pass: z.boolean(),
    headline: z.string(),
    reasons: z.array(z.string()),
    /** Why, in one word (`improved`, `first-model`, `not-improved`, `baseline-unavailable`, …); optional for old readers. */
    outcome: z.string().optional(),
    /** The candidate run and its mean test scores. */
    candidate: z.object({ runId: z.string(), dice: z.number().nullable(), iou: z.number().nullable() }).optional(),
    /** Production's scores on the same test split (null when there is none or it could not be evaluated). */
    baseline: z
      .object({ version: z.string().nullable(), dice: z.number().nullable(), iou: z.number().nullable() })
      .nullable()
      .optional(),
  }),
  z.object({
    type: z.literal('step-end'),
    ...base,
    step: StepSchema,
    status: z.enum(['ok', 'failed', 'skipped', 'cancelled']),
    seconds: z.number().nonnegative(),
    summary: z.string().optional(),
  }),
  z.object({ type: z.literal('log'), ...base, level: z.enum(['info', 'warn']), message: z.string() }),
  z.object({ type: z.literal('error'), ...base, step: StepSchema.optional(), error: AppErrorSchema }),
  z.object({
    type: z.literal('done'),
    ...base,
    status: z.enum(['ok', 'failed', 'cancelled']),
    seconds: z.number().nonnegative(),
    /** The command's result object (what `--json` would print), so an NDJSON stream is self-contained. */
    result: z.unknown().optional(),
  }),
])

/** One pipeline event. */
export type PipelineEvent = z.infer<typeof PipelineEventSchema>

/** The event types, for exhaustive switches. */
export type PipelineEventType = PipelineEvent['type']

/** A pipeline event before the writer stamps its time. */
export type PipelineEventInput = PipelineEvent extends infer E
  ? E extends PipelineEvent
    ? Omit<E, 'at'>
    : never
  : never

/** Serialises one event as one NDJSON line (with the trailing newline). */
export function toNdjsonLine(event: PipelineEvent): string {
  return `${JSON.stringify(event)}\n`
}

/**
 * Parses one NDJSON line into an event.
 *
 * Returns `undefined` for blank lines and for lines that are not events (a stray `console.log` of a library),
 * so a reader never crashes on a noisy child process.
 */
export function parseNdjsonLine(line: string): PipelineEvent | undefined {
  const trimmed = line.trim()
  if (trimmed === '' || !trimmed.startsWith('{')) return undefined
  let json: unknown
  try {
    json = JSON.parse(trimmed)
  } catch {
    return undefined
  }
  const parsed = PipelineEventSchema.safeParse(json)
  return parsed.success ? parsed.data : undefined
}
