import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'

/**
 * A minimal, independent reader of MLflow's FileStore, written from research/mlflow-observed.md and MLflow's reader
 * rules only — it shares no code with our writer (`src/tracking/file-store`, `@wms/shared/tracking`). Tests use it
 * to prove that what we write is readable by something that is not our own writer.
 */

export interface ReadMetricPoint {
  timestamp: number
  value: number
  step: number
}

export interface ReadRun {
  runId: string
  runName: string
  status: string
  startTime: number
  endTime: number | null
  artifactUri: string
  lifecycleStage: string
  params: Record<string, string>
  tags: Record<string, string>
  metrics: Record<string, ReadMetricPoint[]>
  /** Artifact files (relative paths) when the artifact URI is a local file: URI. */
  artifacts: string[]
}

export interface ReadExperiment {
  experimentId: string
  name: string
  artifactLocation: string
  lifecycleStage: string
  tags: Record<string, string>
  runs: ReadRun[]
}

export interface ReadModelVersion {
  version: number
  currentStage: string
  source: string
  runId: string | null
  status: string
  tags: Record<string, string>
}

export interface ReadRegisteredModel {
  name: string
  tags: Record<string, string>
  /** From `aliases/<alias>` files (what MLflow reads), never from meta.yaml. */
  aliases: Record<string, number>
  versions: ReadModelVersion[]
}

export interface ReadStore {
  experiments: ReadExperiment[]
  models: ReadRegisteredModel[]
}

const STATUS_NAMES: Record<number, string> = { 1: 'RUNNING', 2: 'SCHEDULED', 3: 'FINISHED', 4: 'FAILED', 5: 'KILLED' }

/** Reads a whole `mlruns/` folder the way MLflow's FileStore does; throws where MLflow would raise. */
export function readMlflowFileStore(root: string): ReadStore {
  const experiments: ReadExperiment[] = []
  for (const name of subdirs(root)) {
    if (name === '.trash' || name === 'models') continue
    const meta = yamlFile(path.join(root, name, 'meta.yaml'))
    if (meta === undefined) continue
    for (const key of ['experiment_id', 'name', 'artifact_location', 'lifecycle_stage']) {
      if (!(key in meta)) throw new Error(`experiment ${name}: meta.yaml lacks ${key}`)
    }
    if (String(meta.experiment_id) !== name) continue // MLflow logs and ignores it
    const runs: ReadRun[] = []
    for (const runDir of subdirs(path.join(root, name))) {
      if (runDir === 'tags' || runDir === 'datasets') continue
      const runMeta = yamlFile(path.join(root, name, runDir, 'meta.yaml'))
      if (runMeta === undefined) continue
      if (String(runMeta.experiment_id) !== name) continue // "Wrong experiment ID"
      runs.push(readRun(path.join(root, name, runDir), runMeta))
    }
    experiments.push({
      experimentId: name,
      name: String(meta.name),
      artifactLocation: String(meta.artifact_location),
      lifecycleStage: String(meta.lifecycle_stage),
      tags: valueFiles(path.join(root, name, 'tags')),
      runs,
    })
  }
  const models: ReadRegisteredModel[] = []
  for (const name of subdirs(path.join(root, 'models'))) {
    const dir = path.join(root, 'models', name)
    const meta = yamlFile(path.join(dir, 'meta.yaml'))
    if (meta === undefined) continue
    const aliases: Record<string, number> = {}
    for (const [alias, text] of Object.entries(valueFiles(path.join(dir, 'aliases'))))
      aliases[alias] = parseInt(text, 10)
    const versions: ReadModelVersion[] = []
    for (const versionDir of subdirs(dir)) {
      if (!versionDir.startsWith('version-')) continue
      const versionMeta = yamlFile(path.join(dir, versionDir, 'meta.yaml'))
      if (versionMeta === undefined || versionMeta.current_stage === 'Deleted_Internal') continue
      versions.push({
        version: Number(versionMeta.version),
        currentStage: String(versionMeta.current_stage),
        source: String(versionMeta.source),
        runId: typeof versionMeta.run_id === 'string' ? versionMeta.run_id : null,
        status: String(versionMeta.status),
        tags: valueFiles(path.join(dir, versionDir, 'tags')),
      })
    }
    versions.sort((a, b) => a.version - b.version)
    models.push({ name: String(meta.name), tags: valueFiles(path.join(dir, 'tags')), aliases, versions })
  }
  return { experiments, models }
}

function readRun(dir: string, meta: Record<string, unknown>): ReadRun {
  for (const key of ['run_uuid', 'start_time', 'artifact_uri', 'user_id']) {
    if (!(key in meta)) throw new Error(`run ${dir}: meta.yaml lacks ${key}`)
  }
  const metrics: Record<string, ReadMetricPoint[]> = {}
  for (const [key, text] of Object.entries(valueFiles(path.join(dir, 'metrics')))) {
    metrics[key] = text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const fields = line.trim().split(' ')
        if (fields.length !== 2 && fields.length !== 3) throw new Error(`Metric '${key}' is malformed`)
        return {
          timestamp: pyInt(fields[0]),
          value: pyFloat(fields[1]),
          step: fields.length === 3 ? pyInt(fields[2]) : 0,
        }
      })
  }
  const artifactUri = String(meta.artifact_uri)
  const artifactDir = artifactUri.startsWith('file://') ? new URL(artifactUri).pathname : undefined
  return {
    runId: String(meta.run_uuid),
    runName: typeof meta.run_name === 'string' ? meta.run_name : '',
    status: typeof meta.status === 'number' ? (STATUS_NAMES[meta.status] ?? 'RUNNING') : 'RUNNING',
    startTime: Number(meta.start_time),
    endTime: meta.end_time === null || meta.end_time === undefined ? null : Number(meta.end_time),
    artifactUri,
    lifecycleStage: typeof meta.lifecycle_stage === 'string' ? meta.lifecycle_stage : 'active',
    params: valueFiles(path.join(dir, 'params')),
    tags: valueFiles(path.join(dir, 'tags')),
    metrics,
    artifacts: artifactDir !== undefined && existsSync(artifactDir) ? filesUnder(artifactDir) : [],
  }
}

// Python's int(): digits with an optional sign.
function pyInt(text: string | undefined): number {
  if (text === undefined || !/^[+-]?\d+$/.test(text)) throw new Error(`invalid literal for int(): '${String(text)}'`)
  return Number(text)
}

// Python's float(): decimal literals plus nan/inf/infinity in any case.
function pyFloat(text: string | undefined): number {
  const lower = (text ?? '').toLowerCase()
  if (['nan', '+nan', '-nan'].includes(lower)) return NaN
  if (['inf', '+inf', 'infinity', '+infinity'].includes(lower)) return Infinity
  if (['-inf', '-infinity'].includes(lower)) return -Infinity
  const value = Number(lower)
  if (lower === '' || Number.isNaN(value)) throw new Error(`could not convert string to float: '${lower}'`)
  return value
}

function yamlFile(file: string): Record<string, unknown> | undefined {
  if (!existsSync(file)) return undefined
  // MLflow reads with PyYAML (YAML 1.1); ints stay exact as strings when they are too big for a double.
  const doc = parse(readFileSync(file, 'utf8'), { version: '1.1', intAsBigInt: true }) as Record<string, unknown>
  return Object.fromEntries(
    Object.entries(doc).map(([key, value]) => [
      key,
      typeof value === 'bigint' ? (Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()) : value,
    ]),
  )
}

function subdirs(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
}

// One file per key, value verbatim; "/" in a key is a sub-folder.
function valueFiles(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {}
  const values: Record<string, string> = {}
  for (const file of filesUnder(dir)) values[file] = readFileSync(path.join(dir, file), 'utf8')
  return values
}

function filesUnder(dir: string): string[] {
  const out: string[] = []
  const walk = (current: string, prefix: string): void => {
    for (const entry of readdirSync(current)) {
      const full = path.join(current, entry)
      if (statSync(full).isDirectory()) walk(full, `${prefix}${entry}/`)
      else out.push(`${prefix}${entry}`)
    }
  }
  walk(dir, '')
  return out.sort()
}
