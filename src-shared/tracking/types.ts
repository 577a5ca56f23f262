/**
 * The tracking domain as MLflow models it (REST API 2.0 and the FileStore agree on these shapes): experiments,
 * runs with params/metrics/tags, and the model registry (registered models, versions, aliases, stages).
 *
 * Ids and versions are strings, as on MLflow's wire; timestamps are epoch milliseconds.
 */

/** A run's lifecycle status. */
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED'

/** The statuses in FileStore order: `meta.yaml` stores `status` as this index + 1 (RUNNING=1 … KILLED=5). */
export const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']

/** `active`, or `deleted` (soft-deleted runs and experiments). */
export type LifecycleStage = 'active' | 'deleted'

/** One key/value tag (experiments, runs, registered models, model versions). */
export interface Tag {
  key: string
  value: string
}

/** One logged metric point. `value` may be NaN or ±Infinity (MLflow keeps them). */
export interface Metric {
  key: string
  value: number
  /** Epoch milliseconds. */
  timestamp: number
  step: number
}

/** One logged param; values are strings in MLflow and cannot change once logged. */
export interface Param {
  key: string
  value: string
}

/** An experiment. */
export interface Experiment {
  experimentId: string
  name: string
  artifactLocation: string
  lifecycleStage: LifecycleStage
  creationTime?: number
  lastUpdateTime?: number
  tags: Record<string, string>
}

/** What identifies a run and where its artifacts are. */
export interface RunInfo {
  runId: string
  experimentId: string
  runName: string
  userId: string
  status: RunStatus
  startTime: number
  /** Absent while the run is running. */
  endTime?: number
  /** `file:///…`, `mlflow-artifacts:/…`, `s3://…`: the root of the run's artifacts. */
  artifactUri: string
  lifecycleStage: LifecycleStage
}

/** A run with its latest metric values, params and tags. */
export interface Run {
  info: RunInfo
  /** The latest point of each metric: the maximum by (step, timestamp, value), as MLflow picks it. */
  metrics: Record<string, Metric>
  params: Record<string, string>
  tags: Record<string, string>
}

/** Registry stages (deprecated upstream since 2.9; read as a fallback, written only for legacy consumers). */
export type ModelStage = 'None' | 'Staging' | 'Production' | 'Archived'

/** The stages in canonical spelling (MLflow matches them case-insensitively). */
export const MODEL_STAGES: readonly ModelStage[] = ['None', 'Staging', 'Production', 'Archived']

/** A registered model. */
export interface RegisteredModel {
  name: string
  creationTimestamp: number
  lastUpdatedTimestamp: number
  description?: string
  tags: Record<string, string>
  /** alias → version. */
  aliases: Record<string, string>
}

/** One version of a registered model. */
export interface ModelVersion {
  name: string
  version: string
  creationTimestamp: number
  lastUpdatedTimestamp: number
  currentStage: ModelStage
  description?: string
  /** Where the model's files are (`mlflow-artifacts:/…/artifacts/model`, `file:///…`, `runs:/<id>/model`). */
  source: string
  runId?: string
  status: string
  tags: Record<string, string>
  /** Aliases pointing at this version, when the backend reports them. */
  aliases: string[]
}

/** An artifact listing entry; `path` is relative to the run's artifact root. */
export interface ArtifactFile {
  path: string
  isDir: boolean
  fileSize?: number
}

/** One page of a search. */
export interface Page<T> {
  items: T[]
  nextPageToken?: string
}

/** Parses a stage name the way MLflow does (case-insensitive); undefined when it is not a stage. */
export function parseModelStage(value: string): ModelStage | undefined {
  return MODEL_STAGES.find((stage) => stage.toLowerCase() === value.toLowerCase())
}

/** The latest point of each metric: maximum by (step, timestamp, value), like MLflow's stores. */
export function latestMetrics(points: Iterable<Metric>): Record<string, Metric> {
  const latest: Record<string, Metric> = {}
  for (const point of points) {
    const current = latest[point.key]
    if (current === undefined || compareMetricPoints(point, current) > 0) latest[point.key] = point
  }
  return latest
}

// Python compares tuples with NaN as "not greater", so a NaN value never replaces an equal (step, timestamp).
function compareMetricPoints(a: Metric, b: Metric): number {
  if (a.step !== b.step) return a.step - b.step
  if (a.timestamp !== b.timestamp) return a.timestamp - b.timestamp
  if (Number.isNaN(a.value) || Number.isNaN(b.value)) return 0
  return a.value - b.value
}
