import type { TrackingConfig } from '@wms/shared/config/workspace-config'
import type { MlflowInUse } from '@wms/shared/settings/accounts'
import { applyTrackingEnv, openWorkspaceTracking } from 'training-runner'
import type { MlflowCredentials } from './mlflow-connection.js'

/**
 * Which MLflow the app reads (the Pipeline's training curves and verdicts, the Models area's registry, the
 * connection test): the address saved in Settings for this app, else `MLFLOW_TRACKING_URI` (MLflow's own variable,
 * which the CLI honours too), else the workspace config's `tracking.uri` — the team's default, which CI uses. The
 * stored login goes with whichever it is.
 */

/**
 * The environment the runner's tracking client is opened with: the Settings address put in as
 * `MLFLOW_TRACKING_URI`, which wins over the workspace config exactly as the variable does for every MLflow client.
 */
export function trackingEnvFor(
  account: Pick<MlflowCredentials, 'url'> | undefined,
  env: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  return account === undefined || account.url === null ? env : { ...env, MLFLOW_TRACKING_URI: account.url }
}

/**
 * The workspace's tracking store as the app's readers open it (the Pipeline's status, the Models area): at the
 * Settings address when one is saved, with the stored login (which wins over `MLFLOW_TRACKING_TOKEN`…).
 */
export function openAppTracking(
  workspaceRoot: string,
  account: MlflowCredentials | undefined,
  env: NodeJS.ProcessEnv,
): ReturnType<typeof openWorkspaceTracking> {
  return openWorkspaceTracking(workspaceRoot, {
    env: trackingEnvFor(account, env),
    ...(account?.auth === undefined ? {} : { auth: account.auth }),
  })
}

/**
 * The environment of the app's local runner (the pipeline CLI it starts): the Settings server as
 * `MLFLOW_TRACKING_URI` and the stored login as MLflow's own variables — those the CLI reads, as in CI — so the
 * runs trained here are recorded where the Pipeline and Models read them.
 */
export function runnerTrackingEnv(account: MlflowCredentials | undefined, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const withServer = trackingEnvFor(account, env)
  const auth = account?.auth
  if (auth === undefined) return withServer
  // One login, not the stored one mixed with what the environment held.
  const login = {
    MLFLOW_TRACKING_TOKEN: undefined,
    MLFLOW_TRACKING_USERNAME: undefined,
    MLFLOW_TRACKING_PASSWORD: undefined,
  }
  return auth.kind === 'bearer'
    ? { ...withServer, ...login, MLFLOW_TRACKING_TOKEN: auth.token }
    : { ...withServer, ...login, MLFLOW_TRACKING_USERNAME: auth.username, MLFLOW_TRACKING_PASSWORD: auth.password }
}

/** The MLflow address in use and where it came from, as the readers open it (credentials in it kept). */
export function effectiveMlflow(
  account: Pick<MlflowCredentials, 'url'> | undefined,
  workspace: { root: string; tracking: TrackingConfig },
  env: NodeJS.ProcessEnv,
): MlflowInUse {
  if (account !== undefined && account.url !== null) return { uri: account.url, source: 'settings' }
  const { tracking, sources } = applyTrackingEnv(workspace.tracking, env, workspace.root)
  return { uri: tracking.uri, source: sources.uri }
}

/** {@link effectiveMlflow} for Settings: credentials in the address removed, and never a throw. */
export function mlflowInUse(
  account: Pick<MlflowCredentials, 'url'> | undefined,
  workspace: { root: string; tracking: TrackingConfig },
  env: NodeJS.ProcessEnv,
): MlflowInUse {
  try {
    const { uri, source } = effectiveMlflow(account, workspace, env)
    return { uri: withoutCredentials(uri), source }
  } catch {
    // An MLFLOW_TRACKING_URI this client cannot use (sqlite:, databricks:): opening the store says why.
    return { uri: withoutCredentials(env.MLFLOW_TRACKING_URI ?? workspace.tracking.uri), source: 'environment' }
  }
}

/** `https://user:secret@host/x` → `https://host/x`; anything that is not an http(s) URL as it is. */
export function withoutCredentials(uri: string): string {
  return httpWithoutCredentials(uri) ?? uri
}

/** An http(s) address without its credentials, or null for anything else (a FileStore, an unparseable URL). */
export function httpWithoutCredentials(uri: string): string | null {
  if (!/^https?:\/\//i.test(uri)) return null
  try {
    const url = new URL(uri)
    url.username = ''
    url.password = ''
    return url.toString().replace(/\/$/, '')
  } catch {
    return null
  }
}
