import type { WorkspaceConfig } from '@wms/shared/config/workspace-config'
import { readWorkspaceConfig } from '../workspace/workspace-config-file.js'
import { openTrackingStore } from '../tracking/open-tracking-store.js'
import type { MlflowAuth } from '../tracking/rest/mlflow-http.js'
import type { TrackingStore } from '../tracking/tracking-store.js'

/** A workspace's config and its tracking store, as the CLI commands and the app's services open them. */
export async function openWorkspaceTracking(
  workspaceRoot: string,
  options: { env?: NodeJS.ProcessEnv; auth?: MlflowAuth } = {},
): Promise<{ config: WorkspaceConfig; store: TrackingStore }> {
  const config = await readWorkspaceConfig(workspaceRoot)
  const store = openTrackingStore(config.tracking, {
    workspaceRoot,
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.auth === undefined ? {} : { auth: options.auth }),
  })
  return { config, store }
}
