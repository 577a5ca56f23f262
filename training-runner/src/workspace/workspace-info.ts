import { access } from 'node:fs/promises'
import path from 'node:path'
import type { TrackingConfig, WorkspaceConfig } from '@wms/shared/config/workspace-config'
import type { WorkspaceInfo } from '@wms/shared/workspace/workspace-info'
import { openRepo, runGit } from '../adapters/git/run-git.js'
import { readWorkspaceConfig, resolveWorkspacePath } from './workspace-config-file.js'
import { readDvcOut } from '../dvc/dvc-files.js'
import { applyTrackingEnv, resolveFileStoreRoot } from '../tracking/tracking-env.js'

/** Marker file the demo workspace carries, so the app can say "demo" honestly. */
export const DEMO_MARKER_FILE = '.wms-demo'

/**
 * Everything the app header and `training-runner info` show about a workspace. `env` carries MLflow's variables
 * (`MLFLOW_TRACKING_URI`, `MLFLOW_EXPERIMENT_NAME`), which win over the config as in every MLflow client.
 */
export async function readWorkspaceInfo(
  root: string,
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<WorkspaceInfo> {
  const config = await readWorkspaceConfig(root)
  const effective = applyTrackingEnv(config.tracking, options.env ?? {}, options.cwd ?? root)
  const git = openRepo(root)
  const isRepo = await runGit('rev-parse', () => git.checkIsRepo())
  let branch: string | null = null
  let head: string | null = null
  let dirty = false
  let remotes: { name: string; url: string }[] = []
  if (isRepo) {
    const status = await runGit('status', () => git.status())
    branch = status.current
    dirty = !status.isClean()
    head = await runGit('rev-parse', () => git.revparse(['HEAD'])).catch(() => null)
    const listed = await runGit('remote', () => git.getRemotes(true))
    remotes = listed.map((remote) => ({ name: remote.name, url: remote.refs.push || remote.refs.fetch }))
  }
  return {
    root,
    name: config.name,
    isDemo: await exists(path.join(root, DEMO_MARKER_FILE)),
    git: { branch, head, dirty, remotes },
    dataRemote: describeDataRemote(root, config),
    tracking: { ...describeTracking(root, effective.tracking), sources: effective.sources },
    github: config.github,
    pipelineRunner: config.pipeline.runner,
    dataset: { root: config.dataset.root, trackedImages: await trackedImageCount(root, config) },
  }
}

function describeDataRemote(root: string, config: WorkspaceConfig): WorkspaceInfo['dataRemote'] {
  const remote = config.dataset.remote
  if (remote.type === 'local') return { kind: 'local', display: resolveWorkspacePath(root, remote.path) }
  const prefix = remote.prefix === '' ? '' : `/${remote.prefix}`
  const endpoint = remote.endpoint === undefined ? '' : ` via ${remote.endpoint}`
  return { kind: 's3', display: `s3://${remote.bucket}${prefix}${endpoint}` }
}

function describeTracking(root: string, tracking: TrackingConfig): WorkspaceInfo['tracking'] {
  const { uri, experiment, registeredModel } = tracking
  if (uri.startsWith('file:')) {
    return { kind: 'filestore', display: resolveFileStoreRoot(uri, root), experiment, registeredModel }
  }
  return { kind: 'server', display: uri, experiment, registeredModel }
}

// The image count lives in `images.dvc` (`nfiles`); absent before the first dataset version.
async function trackedImageCount(root: string, config: WorkspaceConfig): Promise<number | null> {
  const out = await readDvcOut(path.join(root, config.dataset.root, 'images.dvc')).catch(() => undefined)
  return out?.nfiles ?? null
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file)
    return true
  } catch {
    return false
  }
}
