import { createHash } from 'node:crypto'
import path from 'node:path'
import type { WorkspaceConfig } from '@wms/shared/config/workspace-config'
import type { PipelineStatusUpdate } from '@wms/shared/pipeline/timeline'
import type { RunnerState } from 'training-runner'
import { httpWithoutCredentials, openAppTracking } from '../settings/mlflow-target.js'
import { PipelineEventLog } from './event-log.js'
import { GitHubStatusSource } from './github-status-source.js'
import { LocalStatusSource } from './local-status-source.js'
import { MlflowStatusReader } from './mlflow-status.js'
import { StatusPoller } from './status-poller.js'
import { NO_CREDENTIALS, type PipelineStatusSource, type StatusCredentials } from './status-source.js'

/** Inputs of {@link createPipelineStatus}. */
export interface PipelineStatusOptions {
  workspaceRoot: string
  config: WorkspaceConfig
  /** The app's local runner, when it runs one. */
  runnerState?: () => RunnerState
  onUpdate: (update: PipelineStatusUpdate) => void
  /** Stored accounts (Settings); default: none. */
  credentials?: StatusCredentials
  /** How often the source is read (tests shorten it). */
  intervalMs?: number
  env?: NodeJS.ProcessEnv
}

/** The pipeline's status side: the event log the local runner's events go to, and the poller of the source. */
export interface PipelineStatusParts {
  log: PipelineEventLog
  poller: StatusPoller
  source: PipelineStatusSource
  /** The MLflow reader the source reads training runs and verdicts with. */
  tracking: MlflowStatusReader
}

/** An MLflow server's address for links in the app (credentials removed), or null for a FileStore. */
export function mlflowUiBase(uri: string): string | null {
  return httpWithoutCredentials(uri)
}

/** Tells one stored account (server and login) from another without keeping the secret around as a cache key. */
function accountDigest(account: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(account ?? null))
    .digest('hex')
}

/** Composes the status source the workspace's config asks for, and its poller. */
export function createPipelineStatus(options: PipelineStatusOptions): PipelineStatusParts {
  const root = options.workspaceRoot
  const credentials = options.credentials ?? NO_CREDENTIALS
  const log = new PipelineEventLog(root)
  // MLflow as the stored account names it (its server, else the workspace's tracking URI) with its login.
  const tracking = new MlflowStatusReader(
    async () => {
      const { store, config } = await openAppTracking(root, await credentials.mlflow(), options.env ?? process.env)
      return { store, uiBase: mlflowUiBase(config.tracking.uri) }
    },
    async () => accountDigest(await credentials.mlflow()),
  )
  const github = options.config.github
  const source: PipelineStatusSource =
    options.config.pipeline.runner === 'github-actions' && github !== null
      ? new GitHubStatusSource({
          workspaceRoot: root,
          datasetRoot: options.config.dataset.root,
          repo: github.repo,
          experiment: options.config.tracking.experiment,
          credentials,
          tracking,
          ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
        })
      : new LocalStatusSource({
          workspaceRoot: root,
          datasetRoot: options.config.dataset.root,
          log,
          runnerState: options.runnerState ?? (() => ({ running: null, queued: [] })),
          tracking,
          ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
        })
  const poller = new StatusPoller({
    source,
    cacheFile: path.join(root, '.wms', 'cache', 'pipeline-status.json'),
    onUpdate: options.onUpdate,
  })
  return { log, poller, source, tracking }
}
