import { z } from 'zod'

/**
 * `model-metadata.json` (the workspace's current production model) and `models/production-history.jsonl` (one
 * line per promotion or rollback).
 *
 * The metadata keeps the old system's fields (research/seed-system.md §6.3: `model_version`, `run_id`,
 * `metrics{dice,iou}`, `baseline{dice,iou}`, `trained_at`, `training_data_count`, `github_run`), fixes their types
 * (`training_data_count` is a number, not `"TBD"`) and adds provenance. The history is valid JSONL: unlike the old
 * file it has no `#` comment lines (old files are still read; comment lines are skipped).
 */

/** Workspace-relative path of the production metadata file. */
export const MODEL_METADATA_FILE = 'model-metadata.json'
/** Workspace-relative path of the promotion history. */
export const PRODUCTION_HISTORY_FILE = 'models/production-history.jsonl'

const ScorePair = z.object({ dice: z.number().nullable(), iou: z.number().nullable() })

/** Runtime schema of `model-metadata.json`; unknown fields are kept so older and newer writers interoperate. */
export const ModelMetadataSchema = z.looseObject({
  /** Registry version (`"3"`); the old placeholder says `"initial"`, the old writer used a commit sha. */
  model_version: z.union([z.string(), z.number()]).transform(String),
  run_id: z.string().nullable(),
  /** The model's mean test Dice/IoU when it was promoted (on the then-current test split). */
  metrics: ScorePair,
  /** Production's scores on the same split at promotion time; null values for the first model. */
  baseline: ScorePair.nullable().default(null),
  trained_at: z.string().nullable().default(null),
  /** Pairs in the dataset the model was trained from (train + val + test). */
  training_data_count: z.union([z.number(), z.string()]).nullable().default(null),
  github_run: z.union([z.string(), z.number()]).nullable().default(null),
  registered_model: z.string().optional(),
  model_uri: z.string().optional(),
  source: z.string().optional(),
  promoted_at: z.string().optional(),
  previous_version: z.string().nullable().optional(),
  data_version: z.string().optional(),
  git_sha: z.string().optional(),
  gate: z.object({ outcome: z.string(), headline: z.string() }).optional(),
  note: z.string().optional(),
})

/** A parsed `model-metadata.json`. */
export type ModelMetadata = z.infer<typeof ModelMetadataSchema>

/** What {@link ModelMetadataSchema} accepts before defaults. */
export type ModelMetadataInput = z.input<typeof ModelMetadataSchema>

/** True for the old system's placeholder (`"model_version": "initial"`, no run): it names no model. */
export function isPlaceholderMetadata(metadata: ModelMetadata): boolean {
  return metadata.run_id === null || metadata.model_version === 'initial'
}

/** Serialises metadata like the old file: 2-space JSON with a trailing newline. */
export function formatModelMetadata(metadata: ModelMetadataInput): string {
  return `${JSON.stringify(metadata, null, 2)}\n`
}

/** Parses `model-metadata.json` text; the error says what is wrong. */
export function parseModelMetadata(text: string): { ok: true; value: ModelMetadata } | { ok: false; error: string } {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (thrown) {
    return { ok: false, error: `not valid JSON (${(thrown as Error).message})` }
  }
  const parsed = ModelMetadataSchema.safeParse(json)
  if (parsed.success) return { ok: true, value: parsed.data }
  const issue = parsed.error.issues[0]
  return { ok: false, error: `${issue?.path.map(String).join('.') ?? ''}: ${issue?.message ?? 'invalid'}` }
}

/** One line of `production-history.jsonl`. */
export const ProductionHistoryEntrySchema = z.looseObject({
  event: z.enum(['promote', 'rollback']).default('promote'),
  /** Registry version that became production (an int, like the old file). */
  version: z.number().int(),
  run_id: z.string().nullable(),
  /** The deprecated registry stage that was moved too (the old file always had one); absent when only the alias moved. */
  stage: z.string().optional(),
  alias: z.string().optional(),
  /** When it became production (UTC ISO). */
  timestamp: z.string(),
  previous_version: z.number().int().nullable().default(null),
  metrics: z.record(z.string(), z.number().nullable()).default({}),
  baseline: ScorePair.nullable().optional(),
  gate_outcome: z.string().optional(),
  data_version: z.string().optional(),
  git_sha: z.string().optional(),
  source_branch: z.string().optional(),
  pr: z.number().int().optional(),
  github_run: z.string().optional(),
  reason: z.string().optional(),
})

/** A parsed history line. */
export type ProductionHistoryEntry = z.infer<typeof ProductionHistoryEntrySchema>

/** One compact JSON line (with the newline) for the history file. */
export function formatHistoryLine(entry: z.input<typeof ProductionHistoryEntrySchema>): string {
  return `${JSON.stringify(entry)}\n`
}

/** The entries of a history file, and the lines that could not be read (with 1-based line numbers). */
export function parseProductionHistory(text: string): {
  entries: ProductionHistoryEntry[]
  problems: { line: number; message: string }[]
} {
  const entries: ProductionHistoryEntry[] = []
  const problems: { line: number; message: string }[] = []
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    // The old file started with `#` comment lines; they are skipped, not copied.
    if (line === '' || line.startsWith('#')) return
    let json: unknown
    try {
      json = JSON.parse(line)
    } catch {
      problems.push({ line: index + 1, message: 'not valid JSON' })
      return
    }
    const parsed = ProductionHistoryEntrySchema.safeParse(json)
    if (parsed.success) entries.push(parsed.data)
    else problems.push({ line: index + 1, message: parsed.error.issues[0]?.message ?? 'invalid entry' })
  })
  return { entries, problems }
}
