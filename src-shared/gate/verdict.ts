import { z } from 'zod'

/**
 * The gate's inputs and its verdict. The verdict is data: it is stored with the candidate run
 * (`gate/verdict.json`), read back by `promote`, rendered as text and Markdown, and sent as a `gate` event.
 */

/** The version of the verdict format written here. */
export const GATE_VERDICT_VERSION = 1

/** Mean scores of a model on a test split. */
export interface Scores {
  dice: number
  iou: number
}

/** One test image's scores. */
export interface ImageScores extends Scores {
  /** Stable id of the test pair (its stem). */
  id: string
}

/** What evaluating one model on the test split gives (the evaluation port's result). */
export interface ModelEvaluation {
  /** Mean Dice and IoU over the test images (other metrics, e.g. hausdorff, may ride along). */
  aggregate: Scores & Record<string, number>
  perImage: ImageScores[]
}

/** How the production model was found. */
export type ProductionSource = 'alias' | 'stage' | 'metadata'

/** Which model is production, as far as the registry (or `model-metadata.json`) says. */
export interface ProductionRef {
  via: ProductionSource
  /** Registry version, when known (absent for a `model-metadata.json`-only production). */
  version?: string
  runId?: string
  /** Where its model files are. */
  source?: string
}

/** What the gate knows about production. */
export type GateBaseline =
  /** No production model anywhere: the candidate may pass as the first model. */
  | { kind: 'none'; reason: string }
  /** Production exists (or may exist) but could not be resolved, downloaded or evaluated: fail closed. */
  | { kind: 'unavailable'; reason: string; ref?: ProductionRef }
  /** Production evaluated on the same test split as the candidate. */
  | { kind: 'evaluated'; ref: ProductionRef; evaluation: ModelEvaluation }

/** The gate's input: both evaluations (or why one is missing), and the policy. */
export interface GateInput {
  candidate: { runId: string; evaluation?: ModelEvaluation; error?: string }
  baseline: GateBaseline
  /** An explicit request (CLI `--allow-bootstrap`) to pass when production is unavailable. */
  allowBootstrap?: boolean
}

/** Why the gate passed or failed, in one word. */
export const GATE_OUTCOMES = [
  'improved',
  'first-model',
  'bootstrap',
  'not-improved',
  'below-floor',
  'baseline-unavailable',
  'invalid-candidate',
  'split-mismatch',
] as const

/** One of {@link GATE_OUTCOMES}. */
export type GateOutcome = (typeof GATE_OUTCOMES)[number]

const nullableNumber = z.number().nullable()
const ScoresSchema = z.object({ dice: nullableNumber, iou: nullableNumber })

/** One test image's change from production to the candidate. */
export const ImageDeltaSchema = z.object({
  id: z.string(),
  candidate: ScoresSchema,
  production: ScoresSchema,
  diceDelta: z.number(),
  iouDelta: z.number(),
})

/** An image's change (see {@link ImageDeltaSchema}). */
export type ImageDelta = z.infer<typeof ImageDeltaSchema>

/** Runtime schema of a verdict (numbers that are not finite are stored as null). */
export const GateVerdictSchema = z.object({
  schemaVersion: z.literal(GATE_VERDICT_VERSION),
  pass: z.boolean(),
  outcome: z.enum(GATE_OUTCOMES),
  headline: z.string(),
  reasons: z.array(z.string()),
  candidate: z.object({ runId: z.string(), dice: nullableNumber, iou: nullableNumber }),
  production: z
    .object({
      via: z.enum(['alias', 'stage', 'metadata']).nullable(),
      version: z.string().nullable(),
      runId: z.string().nullable(),
      dice: nullableNumber,
      iou: nullableNumber,
      /**
       * When that version last became production (its promotion or rollback time), so `promote` can tell that
       * production moved away and back since the gate ran. Absent in older verdicts.
       */
      since: z.string().nullable().optional(),
    })
    .nullable(),
  /** When the gate decided (UTC ISO); absent in older verdicts. */
  decidedAt: z.string().optional(),
  deltas: z.object({ dice: z.number(), iou: z.number() }).nullable(),
  policy: z.object({
    diceMargin: z.number(),
    iouMargin: z.number(),
    minDice: z.number(),
    minIou: z.number(),
    /** Absent in verdicts written before the first-model floor existed. */
    firstModelMinDice: z.number().optional(),
  }),
  testImages: z.number().int().nonnegative(),
  perImage: z
    .object({
      compared: z.number().int().nonnegative(),
      improved: z.number().int().nonnegative(),
      regressed: z.number().int().nonnegative(),
      unchanged: z.number().int().nonnegative(),
      best: z.array(ImageDeltaSchema),
      worst: z.array(ImageDeltaSchema),
    })
    .nullable(),
})

/** The gate's decision with its numbers and reasons. */
export type GateVerdict = z.infer<typeof GateVerdictSchema>
