import type {
  ArtifactFile,
  Experiment,
  Metric,
  ModelStage,
  ModelVersion,
  Page,
  RegisteredModel,
  Run,
  RunInfo,
  RunStatus,
} from '@wms/shared/tracking/types'
import type { StoreLocks } from './store-lock.js'

/**
 * The tracking port: everything the runner needs from MLflow, with two adapters that behave the same —
 * {@link MlflowRestStore} (an MLflow server, REST API 2.0) and {@link MlflowFileStore} (a local `mlruns/` folder in
 * MLflow's own format, readable by `mlflow ui`).
 *
 * Errors are {@link WmsError}s with `tracking/*` codes: `not-found`, `already-exists`, `invalid`, `auth-failed`,
 * `unavailable` (retryable: network, timeouts, 5xx), `unsupported` (an endpoint the server lacks), `corrupt`.
 */
export interface TrackingStore extends StoreLocks {
  /** `filestore` or `server`. */
  readonly kind: 'filestore' | 'server'
  /** Where it is, for people (a folder, or the server URL without credentials). */
  readonly display: string

  getExperimentByName(name: string): Promise<Experiment | undefined>
  /** Creates an experiment; `tracking/already-exists` when the name is taken. Returns its id. */
  createExperiment(name: string, tags?: Record<string, string>): Promise<string>

  createRun(options: CreateRunOptions): Promise<RunInfo>
  /** The run with its latest metrics, params and tags; `tracking/not-found` for an unknown id. */
  getRun(runId: string): Promise<Run>
  /** Logs metrics (appended), params (write-once) and tags (overwritten). Callers respect MLflow's batch limits. */
  logBatch(runId: string, batch: RunBatch): Promise<void>
  /** Every logged point of one metric, in logging order. */
  getMetricHistory(runId: string, key: string): Promise<Metric[]>
  /** Sets status / end time (MLflow's `runs/update`, the "set-terminated" call). */
  updateRun(runId: string, update: { status?: RunStatus; endTime?: number; runName?: string }): Promise<RunInfo>
  setRunTag(runId: string, key: string, value: string): Promise<void>
  /** Active runs of the experiments, newest first. */
  searchRuns(options: SearchRunsOptions): Promise<Page<Run>>

  /** Copies a local file, or a folder recursively, under the run's artifacts (at `artifactPath`, default the root). */
  logArtifacts(runId: string, localPath: string, artifactPath?: string): Promise<void>
  /** Direct children of `path` (default the artifact root); paths are relative to the root. */
  listArtifacts(runId: string, path?: string): Promise<ArtifactFile[]>
  /** Downloads a run's artifact file or folder into `destDir`; returns the local path of what was downloaded. */
  downloadArtifacts(runId: string, path: string, destDir: string): Promise<string>
  /** Downloads whatever an artifact URI names (`runs:/…`, `file://…`, `mlflow-artifacts:/…`, `s3://…`) into `destDir`. */
  downloadArtifactUri(uri: string, destDir: string): Promise<string>
  /**
   * Throws `tracking/unsupported` (saying what to do) when this client cannot write artifacts under `uri` — an
   * experiment's artifact location — so a misconfiguration is found before a run starts, not after training.
   */
  checkArtifactLocation(uri: string): void
  /**
   * Confirms that an artifact just written for a run is where MLflow will look for it: with a server and a `file:`
   * root, the server must see the folder this machine wrote to. `tracking/unsupported` when it does not.
   */
  checkArtifactVisible(runId: string, artifactPath: string): Promise<void>

  /** The registered model, or undefined when there is none by that name. */
  getRegisteredModel(name: string): Promise<RegisteredModel | undefined>
  /** Creates a registered model; `tracking/already-exists` when the name is taken. */
  createRegisteredModel(
    name: string,
    options?: { description?: string; tags?: Record<string, string> },
  ): Promise<RegisteredModel>
  /** Deletes a registered model with its versions; `tracking/not-found` when there is none. */
  deleteRegisteredModel(name: string): Promise<void>
  createModelVersion(options: CreateModelVersionOptions): Promise<ModelVersion>
  /** `tracking/not-found` when the model or the version does not exist (or was deleted). */
  getModelVersion(name: string, version: string): Promise<ModelVersion>
  /** Versions of a model (newest first), optionally only those made from one run. */
  searchModelVersions(name: string, filter?: { runId?: string }): Promise<ModelVersion[]>
  setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void>
  /** The version an alias points at; undefined when the alias is not set; `tracking/not-found` for an unknown model. */
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion | undefined>
  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void>
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void>
  /** The newest version in each stage (or in the given stages). Legacy: stages are deprecated upstream. */
  getLatestVersions(name: string, stages?: ModelStage[]): Promise<ModelVersion[]>
  /** Legacy stage transition (only as a fallback or for old consumers). */
  transitionModelVersionStage(
    name: string,
    version: string,
    stage: ModelStage,
    archiveExistingVersions: boolean,
  ): Promise<ModelVersion>
  /** Where a version's files are (MLflow's `get-download-uri`). */
  getModelVersionDownloadUri(name: string, version: string): Promise<string>
}

/** Options of {@link TrackingStore.createRun}. */
export interface CreateRunOptions {
  experimentId: string
  runName?: string
  /** Epoch ms; defaults to now. */
  startTime?: number
  tags?: Record<string, string>
  userId?: string
}

/** What {@link TrackingStore.logBatch} writes. */
export interface RunBatch {
  metrics?: Metric[]
  params?: Record<string, string>
  tags?: Record<string, string>
}

/** Options of {@link TrackingStore.searchRuns}. */
export interface SearchRunsOptions {
  experimentIds: string[]
  maxResults?: number
  pageToken?: string
}

/** Options of {@link TrackingStore.createModelVersion}. */
export interface CreateModelVersionOptions {
  name: string
  /** The model's files: the run's `…/artifacts/model` URI or `runs:/<run>/model`. */
  source: string
  runId?: string
  description?: string
  tags?: Record<string, string>
}
