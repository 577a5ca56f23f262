import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { TrackingConfig } from '@wms/shared/config/workspace-config'
import { WmsError } from '@wms/shared/errors'

/**
 * MLflow's own environment conventions, which every MLflow client honours and CI jobs set: `MLFLOW_TRACKING_URI`
 * wins over the workspace's `tracking.uri`, `MLFLOW_EXPERIMENT_NAME` over `tracking.experiment`. Credentials, TLS and
 * timeouts (`MLFLOW_TRACKING_TOKEN`, `…_USERNAME/PASSWORD`, `…_INSECURE_TLS`, `…_SERVER_CERT_PATH`,
 * `MLFLOW_HTTP_REQUEST_*`) are read where the connection is opened (`open-tracking-store.ts`).
 */

/** Where a tracking setting came from. */
export type SettingSource = 'environment' | 'config'

/** The tracking settings in effect, and where each came from. */
export interface EffectiveTracking {
  tracking: TrackingConfig
  sources: { uri: SettingSource; experiment: SettingSource }
}

/**
 * Applies `MLFLOW_TRACKING_URI` / `MLFLOW_EXPERIMENT_NAME` to a workspace's tracking settings. A relative path in
 * `MLFLOW_TRACKING_URI` (`./mlruns`, `file:mlruns`) is relative to `cwd`, as in MLflow; in the config it stays
 * relative to the workspace.
 */
export function applyTrackingEnv(tracking: TrackingConfig, env: NodeJS.ProcessEnv, cwd: string): EffectiveTracking {
  const uri = nonEmpty(env.MLFLOW_TRACKING_URI)
  const experiment = nonEmpty(env.MLFLOW_EXPERIMENT_NAME)
  return {
    tracking: {
      ...tracking,
      ...(uri === undefined ? {} : { uri: normaliseEnvTrackingUri(uri, cwd) }),
      ...(experiment === undefined ? {} : { experiment }),
    },
    sources: {
      uri: uri === undefined ? 'config' : 'environment',
      experiment: experiment === undefined ? 'config' : 'environment',
    },
  }
}

/** `MLFLOW_TRACKING_URI` as this client can use it: `http(s)://…`, or a FileStore folder as an absolute `file:` URI. */
export function normaliseEnvTrackingUri(uri: string, cwd: string): string {
  if (/^https?:\/\//i.test(uri)) return uri
  if (uri.startsWith('file://')) return uri
  if (uri.startsWith('file:')) return pathToFileURL(path.resolve(cwd, decodeURIComponent(uri.slice(5)))).href
  const scheme = /^([a-z][\w+.-]*):/i.exec(uri)?.[1]
  // A single letter is a Windows drive, not a scheme.
  if (scheme === undefined || scheme.length === 1) return pathToFileURL(path.resolve(cwd, uri)).href
  throw new WmsError(
    'tracking/invalid',
    `MLFLOW_TRACKING_URI=${scheme}:… is not supported: this client talks to an MLflow server (http(s)://host:port) or a local FileStore (a folder or file: URI).`,
    {
      hint:
        scheme === 'databricks'
          ? 'Databricks tracking is not supported; use a self-hosted MLflow server.'
          : 'A database backend (sqlite:, postgresql:, mysql:) needs an MLflow server in front of it: point MLFLOW_TRACKING_URI at that server.',
    },
  )
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}

/** The folder of a `file:` tracking URI: `file:../mlruns` is relative to the workspace, `file:///x` absolute. */
export function resolveFileStoreRoot(uri: string, workspaceRoot: string): string {
  if (uri.startsWith('file://')) return fileURLToPath(uri)
  return path.resolve(workspaceRoot, decodeURIComponent(uri.slice('file:'.length)))
}
