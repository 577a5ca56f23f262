import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TrackingConfig } from '@wms/shared/config/workspace-config'
import { WmsError } from '@wms/shared/errors'
import type { Experiment } from '@wms/shared/tracking/types'
import { MlflowFileStore } from './file-store/file-store.js'
import { authFromEnv, httpSettingsFromEnv, type MlflowAuth, type MlflowHttpOptions } from './rest/mlflow-http.js'
import { MlflowRestStore } from './rest/rest-store.js'
import type { TrackingStore } from './tracking-store.js'

/** Options of {@link openTrackingStore}. */
export interface OpenTrackingStoreOptions {
  /** Workspace root: relative `file:` URIs are resolved against it. */
  workspaceRoot: string
  /** Environment for MLflow's variables (`MLFLOW_TRACKING_TOKEN`, `…_USERNAME/PASSWORD`, `…_HTTP_REQUEST_TIMEOUT`). */
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
  if (uri.startsWith('file:')) return new MlflowFileStore(resolveFileStoreRoot(uri, options.workspaceRoot))
  if (/^https?:\/\//.test(uri)) {
    const env = options.env ?? {}
    const auth = options.auth ?? authFromEnv(env)
    return new MlflowRestStore({
      uri,
      ...httpSettingsFromEnv(env),
      ...options.http,
      ...(auth === undefined ? {} : { auth }),
    })
  }
  throw new WmsError('tracking/invalid', `Unsupported tracking URI "${uri}".`, {
    hint: 'Use file:<dir> for a local MLflow FileStore or http(s)://host:port for an MLflow server.',
  })
}

/** The folder of a `file:` tracking URI: `file:../mlruns` is relative to the workspace, `file:///x` absolute. */
export function resolveFileStoreRoot(uri: string, workspaceRoot: string): string {
  if (uri.startsWith('file://')) return fileURLToPath(uri)
  return path.resolve(workspaceRoot, decodeURIComponent(uri.slice('file:'.length)))
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
