import type { TrackingConfig } from '@wms/shared/config/workspace-config'
import { WmsError } from '@wms/shared/errors'
import type { Experiment } from '@wms/shared/tracking/types'
import { s3SettingsFromEnv } from './artifacts/s3-artifacts.js'
import { resolveFileStoreRoot } from './tracking-env.js'
import { MlflowFileStore } from './file-store/file-store.js'
import { authFromEnv, httpSettingsFromEnv, type MlflowAuth, type MlflowHttpOptions } from './rest/mlflow-http.js'
import { MlflowRestStore } from './rest/rest-store.js'
import type { TrackingStore } from './tracking-store.js'

/** Options of {@link openTrackingStore}. */
export interface OpenTrackingStoreOptions {
  /** Workspace root: relative `file:` URIs are resolved against it. */
  workspaceRoot: string
  /**
   * Environment for MLflow's variables (`MLFLOW_TRACKING_TOKEN`, `…_USERNAME/PASSWORD`, `…_INSECURE_TLS`,
   * `…_SERVER_CERT_PATH`, `MLFLOW_HTTP_REQUEST_*`) and, for `s3://` artifact roots, `MLFLOW_S3_ENDPOINT_URL`,
   * `MLFLOW_S3_IGNORE_TLS` and the AWS variables.
   */
  env?: NodeJS.ProcessEnv
  /** Credentials from the app's secret store; they win over the environment. */
  auth?: MlflowAuth
  /** Transport overrides (tests). */
  http?: Partial<Omit<MlflowHttpOptions, 'uri' | 'auth'>>
}

/**
 * Opens the store a workspace's `tracking.uri` names: `file:<dir>` (relative to the workspace root, or
 * `file:///abs`) → {@link MlflowFileStore}; `http(s)://…` → {@link MlflowRestStore}.
 */
export function openTrackingStore(
  config: Pick<TrackingConfig, 'uri'>,
  options: OpenTrackingStoreOptions,
): TrackingStore {
  const uri = config.uri
  const env = options.env ?? {}
  // `s3://` artifact roots are written by this client directly, with MLflow's and AWS's variables.
  const s3 = s3SettingsFromEnv(env)
  if (uri.startsWith('file:')) return new MlflowFileStore(resolveFileStoreRoot(uri, options.workspaceRoot), { s3 })
  if (/^https?:\/\//.test(uri)) {
    const auth = options.auth ?? authFromEnv(env)
    return new MlflowRestStore({
      uri,
      ...httpSettingsFromEnv(env),
      ...options.http,
      ...(auth === undefined ? {} : { auth }),
      s3,
    })
  }
  throw new WmsError('tracking/invalid', `Unsupported tracking URI "${uri}".`, {
    hint: 'Use file:<dir> for a local MLflow FileStore or http(s)://host:port for an MLflow server.',
  })
}

/** The experiment by name, created when missing (a concurrent creator's experiment is reused). */
export async function getOrCreateExperiment(store: TrackingStore, name: string): Promise<Experiment> {
  const existing = await store.getExperimentByName(name)
  if (existing !== undefined) return existing
  try {
    await store.createExperiment(name)
  } catch (thrown) {
    if (!(thrown instanceof WmsError && thrown.code === 'tracking/already-exists')) throw thrown
  }
  const created = await store.getExperimentByName(name)
  if (created === undefined) throw new WmsError('tracking/not-found', `Experiment ${name} could not be created.`)
  return created
}

export { resolveFileStoreRoot } from './tracking-env.js'
