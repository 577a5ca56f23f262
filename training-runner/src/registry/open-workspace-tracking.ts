import type { WorkspaceConfig } from '@wms/shared/config/workspace-config'
import { readWorkspaceConfig } from '../workspace/workspace-config-file.js'
import { openTrackingStore } from '../tracking/open-tracking-store.js'
import type { MlflowAuth } from '../tracking/rest/mlflow-http.js'
import { applyTrackingEnv, type EffectiveTracking } from '../tracking/tracking-env.js'
import type { TrackingStore } from '../tracking/tracking-store.js'

/** Options of {@link openWorkspaceTracking}. */
export interface OpenWorkspaceTrackingOptions {
  /** MLflow's variables (`MLFLOW_TRACKING_URI` and `MLFLOW_EXPERIMENT_NAME` win over the config). Default: none. */
  env?: NodeJS.ProcessEnv
  /** Credentials from the app's secret store (they win over the environment). */
  auth?: MlflowAuth
  /** What a relative `MLFLOW_TRACKING_URI` path is relative to (default: the workspace root). */
  cwd?: string
}

/**
 * A workspace's config and its tracking store, as the CLI commands and the app's services open them. The config's
 * `tracking` is the one in effect (environment over `wms.config.json`); `sources` says where each part came from.
 */
export async function openWorkspaceTracking(
  workspaceRoot: string,
  options: OpenWorkspaceTrackingOptions = {},
): Promise<{ config: WorkspaceConfig; store: TrackingStore; sources: EffectiveTracking['sources'] }> {
  const fileConfig = await readWorkspaceConfig(workspaceRoot)
  const env = options.env ?? {}
  const { tracking, sources } = applyTrackingEnv(fileConfig.tracking, env, options.cwd ?? workspaceRoot)
  const config: WorkspaceConfig = { ...fileConfig, tracking }
  const store = openTrackingStore(tracking, {
    workspaceRoot,
    env,
    ...(options.auth === undefined ? {} : { auth: options.auth }),
  })
  return { config, store, sources }
}
