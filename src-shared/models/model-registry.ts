import { z } from 'zod'

/**
 * What the app's Models area shows of the model registry (issue 17, Models): every registered version with its
 * scores and provenance, the production timeline (promotions and rollbacks), and the result of trying a version on
 * a staged photo. Pure schemas and rules; the main process fills them from the runner's registry code.
 */

/** A registry version number as MLflow spells it (`"12"`). */
export const VersionNumberSchema = z.string().regex(/^\d{1,9}$/, 'a registry version is a number such as "12"')

/** One registered version of the model, with what it scored and where it came from. */
export const ModelVersionSummarySchema = z.object({
  version: VersionNumberSchema,
  runId: z.string().nullable(),
  /** When the version was registered (epoch ms). */
  createdAt: z.number(),
  /** Test Dice / IoU the gate measured when it was promoted (else its run's final test metrics). */
  dice: z.number().nullable(),
  iou: z.number().nullable(),
  /** Production's scores on the same test split when the gate decided (null for a first model). */
  baselineDice: z.number().nullable(),
  baselineIou: z.number().nullable(),
  gateOutcome: z.string().nullable(),
  /** `images=<md5>,masks=<md5>` of the dataset it was trained on. */
  dataVersion: z.string().nullable(),
  /** Pairs in that dataset (all splits), and in its test split. */
  dataPairs: z.number().int().nonnegative().nullable(),
  testPairs: z.number().int().nonnegative().nullable(),
  sourceBranch: z.string().nullable(),
  pr: z.number().int().positive().nullable(),
  gitSha: z.string().nullable(),
  promotedAt: z.string().nullable(),
  rolledBackAt: z.string().nullable(),
  rollbackReason: z.string().nullable(),
})

/** A registered version as the Models area lists it. */
export type ModelVersionSummary = z.infer<typeof ModelVersionSummarySchema>

/** One moment production changed (the runner's history: the history file merged with the registry's tags). */
export const ProductionEventSchema = z.object({
  event: z.enum(['promote', 'rollback']),
  version: z.number().int().nonnegative(),
  timestamp: z.string(),
  previousVersion: z.number().int().nonnegative().nullable(),
  dice: z.number().nullable(),
  iou: z.number().nullable(),
  reason: z.string().nullable(),
  source: z.enum(['history-file', 'registry']),
  current: z.boolean(),
})

/** A promotion or a rollback. */
export type ProductionEvent = z.infer<typeof ProductionEventSchema>

/** The registry as the Models area shows it. */
export const ModelRegistryOverviewSchema = z.object({
  modelName: z.string(),
  /** Where the registry is: `filestore` (a folder) or `server` (MLflow), and its address for people. */
  store: z.object({ kind: z.enum(['filestore', 'server']), display: z.string() }),
  /** Newest first. */
  versions: z.array(ModelVersionSummarySchema),
  productionVersion: VersionNumberSchema.nullable(),
  /** When the production version became production (its promotion or the rollback to it). */
  productionSince: z.string().nullable(),
  /** Oldest first. */
  history: z.array(ProductionEventSchema),
  /** What could not be read (the registry was down, a history line was broken); the rest is still shown. */
  problems: z.array(z.string()),
})

/** What `models:get-overview` returns. */
export type ModelRegistryOverview = z.infer<typeof ModelRegistryOverviewSchema>

/** What a rollback did. */
export const ModelRollbackResultSchema = z.object({
  version: VersionNumberSchema,
  previousVersion: z.string().nullable(),
  rolledBackAt: z.string(),
  alreadyProduction: z.boolean(),
  historyAppended: z.boolean(),
})

/** A version run on a staged photo, compared with the annotator's mask. */
export const TryItResultSchema = z.object({
  version: VersionNumberSchema,
  pairId: z.string(),
  /** The staged pair's revision the prediction was made for. */
  revision: z.number().int().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Share of the photo the model marks as counter. */
  foreground: z.number().min(0).max(1),
  /** Agreement with the annotator's mask (the metric the gate uses). */
  dice: z.number().min(0).max(1),
  iou: z.number().min(0).max(1),
  /** True when the agreement is below {@link DISAGREEMENT_DICE}: the annotator's mask may be wrong. */
  disagrees: z.boolean(),
  /** PNG data URLs at display size: the predicted mask as a tint, and where the two masks differ. */
  predictedOverlay: z.string().startsWith('data:image/png;base64,'),
  differenceOverlay: z.string().startsWith('data:image/png;base64,'),
  /** Seconds the prediction took in the inference worker (model load included when it was not cached). */
  seconds: z.number().nonnegative(),
})

/** What `models:try` returns. */
export type TryItResult = z.infer<typeof TryItResultSchema>

/**
 * Below this Dice between a model's prediction and the annotator's mask, the pair is flagged in Add data as a
 * possibly wrong mask. The demo's models reach ≈ 0.9 on held-out meters and the gate's first-model floor is 0.5:
 * a disagreement below that floor is more likely a wrong (shifted, inverted, other meter's) mask than a model error.
 */
export const DISAGREEMENT_DICE = 0.5

/** True when a prediction and an annotator's mask disagree enough to flag the mask. */
export function isLargeDisagreement(dice: number): boolean {
  return !(dice >= DISAGREEMENT_DICE)
}
