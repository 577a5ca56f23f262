import { parse, stringify } from 'yaml'
import {
  RUN_STATUSES,
  parseModelStage,
  type Experiment,
  type LifecycleStage,
  type ModelStage,
  type ModelVersion,
  type RegisteredModel,
  type RunInfo,
  type RunStatus,
} from './types.js'

/**
 * The FileStore's `meta.yaml` files (experiment, run, registered model, model version), written the way MLflow
 * writes them (PyYAML `safe_dump`: sorted keys, block style, YAML 1.1 quoting so `'yes'` and `'1'` stay strings)
 * and read the way MLflow reads them (any valid YAML; ids may be ints; missing optional keys tolerated).
 */

/** Serialises a meta.yaml document like PyYAML's `safe_dump(…, default_flow_style=False)`. */
export function dumpMetaYaml(doc: Record<string, unknown>): string {
  return stringify(doc, { version: '1.1', sortMapEntries: true, singleQuote: true, lineWidth: 0, indentSeq: false })
}

/** Parses a meta.yaml document; throws when it is not a YAML mapping. */
export function loadMetaYaml(text: string): Record<string, unknown> {
  // Ints come back as bigint so an unquoted 19-digit experiment id keeps its digits; small ones become numbers.
  const doc: unknown = parse(text, { version: '1.1', intAsBigInt: true })
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('meta.yaml is not a mapping')
  return Object.fromEntries(Object.entries(doc).map(([key, value]) => [key, fromBigInt(value)]))
}

function fromBigInt(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()
  if (Array.isArray(value)) return value.map(fromBigInt)
  return value
}

/** The FileStore's integer for a run status (RUNNING=1 … KILLED=5). */
export function runStatusToInt(status: RunStatus): number {
  return RUN_STATUSES.indexOf(status) + 1
}

/** A run status from the FileStore's integer (or name); a missing status means RUNNING, as in MLflow. */
export function runStatusFromYaml(value: unknown): RunStatus {
  if (typeof value === 'number') return RUN_STATUSES[value - 1] ?? 'RUNNING'
  if (typeof value === 'string') {
    const named = RUN_STATUSES.find((status) => status === value.toUpperCase())
    if (named !== undefined) return named
    const asNumber = Number(value)
    if (Number.isInteger(asNumber)) return RUN_STATUSES[asNumber - 1] ?? 'RUNNING'
  }
  return 'RUNNING'
}

/** Experiment `meta.yaml` content. */
export function experimentMetaDoc(experiment: Omit<Experiment, 'tags'>): Record<string, unknown> {
  return {
    artifact_location: experiment.artifactLocation,
    creation_time: experiment.creationTime ?? null,
    experiment_id: experiment.experimentId,
    last_update_time: experiment.lastUpdateTime ?? null,
    lifecycle_stage: experiment.lifecycleStage,
    name: experiment.name,
  }
}

/** Reads an experiment `meta.yaml` (tags live in `tags/`, not here). */
export function experimentFromMeta(doc: Record<string, unknown>): Omit<Experiment, 'tags'> {
  const experiment: Omit<Experiment, 'tags'> = {
    experimentId: requiredId(doc, 'experiment_id'),
    name: requiredString(doc, 'name'),
    artifactLocation: requiredString(doc, 'artifact_location'),
    lifecycleStage: lifecycle(doc.lifecycle_stage),
  }
  const creationTime = optionalInt(doc.creation_time)
  const lastUpdateTime = optionalInt(doc.last_update_time)
  if (creationTime !== undefined) experiment.creationTime = creationTime
  if (lastUpdateTime !== undefined) experiment.lastUpdateTime = lastUpdateTime
  return experiment
}

/** Run `meta.yaml` content, with the legacy fields MLflow 2.9 still writes. */
export function runMetaDoc(info: RunInfo, deletedTime?: number): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    artifact_uri: info.artifactUri,
    end_time: info.endTime ?? null,
    entry_point_name: '',
    experiment_id: info.experimentId,
    lifecycle_stage: info.lifecycleStage,
    run_id: info.runId,
    run_name: info.runName,
    run_uuid: info.runId,
    source_name: '',
    source_type: 4,
    source_version: '',
    start_time: info.startTime,
    status: runStatusToInt(info.status),
    tags: [],
    user_id: info.userId,
  }
  if (deletedTime !== undefined) doc.deleted_time = deletedTime
  return doc
}

/** Reads a run `meta.yaml`. */
export function runInfoFromMeta(doc: Record<string, unknown>): RunInfo {
  const runId = optionalString(doc.run_id) ?? requiredString(doc, 'run_uuid')
  const info: RunInfo = {
    runId,
    experimentId: requiredId(doc, 'experiment_id'),
    runName: optionalString(doc.run_name) ?? '',
    userId: optionalString(doc.user_id) ?? '',
    status: runStatusFromYaml(doc.status),
    startTime: optionalInt(doc.start_time) ?? 0,
    artifactUri: requiredString(doc, 'artifact_uri'),
    lifecycleStage: lifecycle(doc.lifecycle_stage),
  }
  const endTime = optionalInt(doc.end_time)
  if (endTime !== undefined) info.endTime = endTime
  return info
}

/** Registered model `meta.yaml` content (the `aliases` map is written for fidelity; `aliases/` is what is read). */
export function registeredModelMetaDoc(model: Omit<RegisteredModel, 'tags'>): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    creation_timestamp: model.creationTimestamp,
    description: model.description ?? null,
    last_updated_timestamp: model.lastUpdatedTimestamp,
    name: model.name,
  }
  if (Object.keys(model.aliases).length > 0) doc.aliases = { ...model.aliases }
  return doc
}

/** Reads a registered model `meta.yaml` (aliases and tags come from their folders). */
export function registeredModelFromMeta(doc: Record<string, unknown>): Omit<RegisteredModel, 'tags' | 'aliases'> {
  const model: Omit<RegisteredModel, 'tags' | 'aliases'> = {
    name: requiredString(doc, 'name'),
    creationTimestamp: optionalInt(doc.creation_timestamp) ?? 0,
    lastUpdatedTimestamp: optionalInt(doc.last_updated_timestamp) ?? 0,
  }
  const description = optionalString(doc.description)
  if (description !== undefined) model.description = description
  return model
}

/** The stage MLflow's FileStore gives a deleted version (its directory is kept). */
export const DELETED_STAGE = 'Deleted_Internal'

/** Model version `meta.yaml` content. */
export function modelVersionMetaDoc(
  version: Omit<ModelVersion, 'tags' | 'currentStage'> & { currentStage: ModelStage | typeof DELETED_STAGE },
): Record<string, unknown> {
  return {
    aliases: [...version.aliases],
    creation_timestamp: version.creationTimestamp,
    current_stage: version.currentStage,
    description: version.description ?? null,
    last_updated_timestamp: version.lastUpdatedTimestamp,
    name: version.name,
    run_id: version.runId ?? null,
    run_link: null,
    source: version.source,
    status: version.status,
    status_message: null,
    storage_location: version.source,
    user_id: null,
    version: Number(version.version),
  }
}

/** Reads a model version `meta.yaml`; `deleted` is true for MLflow's soft-deleted `Deleted_Internal` versions. */
export function modelVersionFromMeta(
  doc: Record<string, unknown>,
): Omit<ModelVersion, 'tags' | 'aliases'> & { deleted: boolean; storageLocation?: string } {
  const stageText = optionalString(doc.current_stage) ?? 'None'
  const version: Omit<ModelVersion, 'tags' | 'aliases'> & { deleted: boolean; storageLocation?: string } = {
    name: requiredString(doc, 'name'),
    version: requiredId(doc, 'version'),
    creationTimestamp: optionalInt(doc.creation_timestamp) ?? 0,
    lastUpdatedTimestamp: optionalInt(doc.last_updated_timestamp) ?? 0,
    currentStage: parseModelStage(stageText) ?? 'None',
    source: requiredString(doc, 'source'),
    status: optionalString(doc.status) ?? 'READY',
    deleted: stageText === DELETED_STAGE,
  }
  const runId = optionalString(doc.run_id)
  const description = optionalString(doc.description)
  const storageLocation = optionalString(doc.storage_location)
  if (runId !== undefined && runId !== '') version.runId = runId
  if (description !== undefined) version.description = description
  if (storageLocation !== undefined) version.storageLocation = storageLocation
  return version
}

function requiredString(doc: Record<string, unknown>, key: string): string {
  const value = doc[key]
  if (typeof value === 'string') return value
  throw new Error(`meta.yaml has no '${key}'`)
}

// Ids are strings, but MLflow tolerates (and casts) ints.
function requiredId(doc: Record<string, unknown>, key: string): string {
  const value = doc[key]
  if (typeof value === 'string' && value !== '') return value
  if (typeof value === 'number' && Number.isInteger(value)) return String(value)
  throw new Error(`meta.yaml has no '${key}'`)
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function optionalInt(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value)
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value)
  return undefined
}

function lifecycle(value: unknown): LifecycleStage {
  return value === 'deleted' ? 'deleted' : 'active'
}
