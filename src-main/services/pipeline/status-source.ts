import type { PipelineTimeline, StatusSourceKind } from '@wms/shared/pipeline/timeline'
import type { OpenWorkspaceTrackingOptions } from 'training-runner'
import type { CredentialsProvider } from '../settings/accounts-service.js'
import type { MlflowCredentials } from '../settings/mlflow-connection.js'

/**
 * Where the Pipeline area's status comes from, behind one interface: the local runner (run records and the app's
 * event log, the demo), or GitHub Actions + MLflow (a workspace whose pipeline runs in CI). The poller asks a
 * source to look, backs off when it fails, and pushes what changed to the renderers.
 */
export interface PipelineStatusSource {
  readonly kind: StatusSourceKind
  /** What it reads, for people (`local runner`, `GitHub Actions (owner/repo) + MLflow`). */
  readonly label: string
  /** How long to wait between looks while all is well. */
  readonly intervalMs: number
  /**
   * Looks once: every branch's timeline, newest first, or `undefined` when nothing changed since the last look
   * (files unchanged, a conditional request answered 304). Throws a `WmsError` when the source cannot be reached.
   */
  poll(signal: AbortSignal): Promise<PipelineTimeline[] | undefined>
  /** Releases what it holds (clients, caches). */
  dispose?(): Promise<void>
}

/** MLflow credentials as the runner's tracking client takes them. */
export type MlflowAuth = NonNullable<OpenWorkspaceTrackingOptions['auth']>

/**
 * The stored MLflow account: the server saved for this app (null: the workspace's tracking URI) and its login.
 * The address wins over the workspace config (see `settings/mlflow-target.ts`).
 */
export type MlflowAccount = MlflowCredentials

/**
 * The stored accounts the status sources need, read when they are needed (never copied, never sent to the
 * renderer). The Settings area's account store implements it; without one, sources run anonymously.
 */
export interface StatusCredentials {
  /** The signed-in GitHub account's token and API address (GitHub Enterprise, a test server). */
  github(): Promise<{ token: string; apiUrl: string } | undefined>
  mlflow(): Promise<MlflowAccount | undefined>
}

/** No stored accounts: public repositories and open MLflow servers only. */
export const NO_CREDENTIALS: StatusCredentials = {
  github: () => Promise.resolve(undefined),
  mlflow: () => Promise.resolve(undefined),
}

/** The Settings area's stored accounts as the status sources read them (the one-line wiring in the hosts). */
export function statusCredentialsFrom(provider: CredentialsProvider): StatusCredentials {
  return {
    github: async () => {
      const account = await provider.credentialsFor('github')
      return account === undefined ? undefined : { token: account.token, apiUrl: account.apiUrl }
    },
    mlflow: () => provider.credentialsFor('mlflow'),
  }
}
