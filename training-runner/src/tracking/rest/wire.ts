import { z } from 'zod'
import { WmsError } from '@wms/shared/errors'
import {
  latestMetrics,
  parseModelStage,
  RUN_STATUSES,
  type ArtifactFile,
  type Experiment,
  type Metric,
  type ModelVersion,
  type RegisteredModel,
  type Run,
  type RunInfo,
  type RunStatus,
} from '@wms/shared/tracking/types'

/**
 * MLflow's JSON wire format ↔ the tracking domain. The server sends int64 fields as numbers (but proxies may send
 * strings), ids and versions as strings, NaN/±Infinity metric values as the strings "NaN"/"Infinity", and omits
 * empty fields.
 */

const int64 = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
])
const id = z.union([z.string(), z.number().transform(String)])
const TagList = z
  .array(z.object({ key: z.string(), value: z.string().optional() }))
  .optional()
  .transform((tags) => Object.fromEntries((tags ?? []).map((tag) => [tag.key, tag.value ?? ''])))

/** A metric value as MLflow's JSON carries it (number, or "NaN", "Infinity", "-Infinity"). */
export const MetricValue = z.union([
  z.number(),
  z.string().transform((text, context) => {
    const value =
      text === 'NaN' ? NaN : text === 'Infinity' ? Infinity : text === '-Infinity' ? -Infinity : Number(text)
    if (Number.isNaN(value) && text !== 'NaN') {
      context.addIssue({ code: 'custom', message: `not a number: ${text}` })
      return z.NEVER
    }
    return value
  }),
])

/** Encodes a metric value for MLflow's JSON (NaN and infinities as strings, as the server returns them). */
export function encodeMetricValue(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return 'Infinity'
  if (value === -Infinity) return '-Infinity'
  return value
}

export const MetricWire = z.object({ key: z.string(), value: MetricValue, timestamp: int64, step: int64.optional() })

const ExperimentWire = z.object({
  experiment_id: id,
  name: z.string(),
  artifact_location: z.string().optional(),
  lifecycle_stage: z.string().optional(),
  creation_time: int64.optional(),
  last_update_time: int64.optional(),
  tags: TagList,
})

const RunInfoWire = z.object({
  run_id: z.string().optional(),
  run_uuid: z.string().optional(),
  experiment_id: id,
  run_name: z.string().optional(),
  user_id: z.string().optional(),
  status: z.string().optional(),
  start_time: int64.optional(),
  end_time: int64.optional(),
  artifact_uri: z.string().optional(),
  lifecycle_stage: z.string().optional(),
})

const RunWire = z.object({
  info: RunInfoWire,
  data: z
    .object({
      metrics: z.array(MetricWire).optional(),
      params: z.array(z.object({ key: z.string(), value: z.string().optional() })).optional(),
      tags: TagList,
    })
    .optional(),
})

const ModelVersionWire = z.object({
  name: z.string(),
  version: id,
  creation_timestamp: int64.optional(),
  last_updated_timestamp: int64.optional(),
  current_stage: z.string().optional(),
  description: z.string().optional(),
  source: z.string().optional(),
  run_id: z.string().optional(),
  status: z.string().optional(),
  tags: TagList,
  aliases: z.array(z.string()).optional(),
})

const RegisteredModelWire = z.object({
  name: z.string(),
  creation_timestamp: int64.optional(),
  last_updated_timestamp: int64.optional(),
  description: z.string().optional(),
  tags: TagList,
  aliases: z.array(z.object({ alias: z.string(), version: id })).optional(),
})

/** Parses part of a server answer with `schema`; a mismatch is `tracking/corrupt` naming the endpoint. */
export function decode<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  throw new WmsError(
    'tracking/corrupt',
    `Unexpected answer from MLflow for ${what}: ${issue?.path.map(String).join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
  )
}

export function toExperiment(value: unknown): Experiment {
  const wire = decode(ExperimentWire, value, 'an experiment')
  const experiment: Experiment = {
    experimentId: wire.experiment_id,
    name: wire.name,
    artifactLocation: wire.artifact_location ?? '',
    lifecycleStage: wire.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
    tags: wire.tags,
  }
  if (wire.creation_time !== undefined) experiment.creationTime = wire.creation_time
  if (wire.last_update_time !== undefined) experiment.lastUpdateTime = wire.last_update_time
  return experiment
}

export function toRunInfo(value: unknown): RunInfo {
  const wire = decode(RunInfoWire, value, 'a run')
  const runId = wire.run_id ?? wire.run_uuid
  if (runId === undefined) throw new WmsError('tracking/corrupt', 'Unexpected answer from MLflow: a run without an id.')
  const info: RunInfo = {
    runId,
    experimentId: wire.experiment_id,
    runName: wire.run_name ?? '',
    userId: wire.user_id ?? '',
    status: (RUN_STATUSES as readonly string[]).includes(wire.status ?? '') ? (wire.status as RunStatus) : 'RUNNING',
    startTime: wire.start_time ?? 0,
    artifactUri: wire.artifact_uri ?? '',
    lifecycleStage: wire.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
  }
  if (wire.end_time !== undefined) info.endTime = wire.end_time
  return info
}

export function toRun(value: unknown): Run {
  const wire = decode(RunWire, value, 'a run')
  const metrics: Metric[] = (wire.data?.metrics ?? []).map((metric) => ({
    key: metric.key,
    value: metric.value,
    timestamp: metric.timestamp,
    step: metric.step ?? 0,
  }))
  return {
    info: toRunInfo(wire.info),
    metrics: latestMetrics(metrics),
    params: Object.fromEntries((wire.data?.params ?? []).map((param) => [param.key, param.value ?? ''])),
    tags: wire.data?.tags ?? {},
  }
}

export function toMetrics(value: unknown): Metric[] {
  return decode(z.array(MetricWire), value ?? [], 'a metric history').map((metric) => ({
    key: metric.key,
    value: metric.value,
    timestamp: metric.timestamp,
    step: metric.step ?? 0,
  }))
}

export function toModelVersion(value: unknown): ModelVersion {
  const wire = decode(ModelVersionWire, value, 'a model version')
  const version: ModelVersion = {
    name: wire.name,
    version: wire.version,
    creationTimestamp: wire.creation_timestamp ?? 0,
    lastUpdatedTimestamp: wire.last_updated_timestamp ?? 0,
    currentStage: parseModelStage(wire.current_stage ?? 'None') ?? 'None',
    source: wire.source ?? '',
    status: wire.status ?? 'READY',
    tags: wire.tags,
    aliases: wire.aliases ?? [],
  }
  if (wire.run_id !== undefined && wire.run_id !== '') version.runId = wire.run_id
  if (wire.description !== undefined && wire.description !== '') version.description = wire.description
  return version
}

export function toRegisteredModel(value: unknown): RegisteredModel {
  const wire = decode(RegisteredModelWire, value, 'a registered model')
  const model: RegisteredModel = {
    name: wire.name,
    creationTimestamp: wire.creation_timestamp ?? 0,
    lastUpdatedTimestamp: wire.last_updated_timestamp ?? 0,
    tags: wire.tags,
    aliases: Object.fromEntries((wire.aliases ?? []).map((alias) => [alias.alias, alias.version])),
  }
  if (wire.description !== undefined && wire.description !== '') model.description = wire.description
  return model
}

/** `[{key, value}]` as MLflow's requests carry tags and params. */
export function toTagList(tags: Record<string, string> | undefined): { key: string; value: string }[] {
  return Object.entries(tags ?? {}).map(([key, value]) => ({ key, value }))
}

// An artifact listing, as both `artifacts/list` and the proxied `mlflow-artifacts/artifacts` answer it.
const FileListWire = z.object({
  files: z
    .array(
      z.object({
        path: z.string(),
        is_dir: z.boolean().optional(),
        file_size: z.union([z.number(), z.string().transform(Number)]).optional(),
      }),
    )
    .optional(),
})

/**
 * An artifact listing as {@link ArtifactFile}s. `pathOf` maps each listed path: `artifacts/list` names files
 * relative to the run's artifact root (kept as is), the proxied API relative to the listed folder.
 */
export function toArtifactFiles(
  json: unknown,
  pathOf: (listed: string) => string = (listed) => listed,
): ArtifactFile[] {
  return (decode(FileListWire, json, 'an artifact listing').files ?? []).map((file) => {
    const entry: ArtifactFile = { path: pathOf(file.path), isDir: file.is_dir === true }
    if (file.file_size !== undefined) entry.fileSize = file.file_size
    return entry
  })
}
