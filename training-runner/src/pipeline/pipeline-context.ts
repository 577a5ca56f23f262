import { access, mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { TrainingConfig } from '@wms/shared/config/training-config'
import { TrainingConfigSchema } from '@wms/shared/config/training-config'
import type { WorkspaceConfig } from '@wms/shared/config/workspace-config'
import type { PipelineRunRecord } from '@wms/shared/pipeline/run-record'
import { createRemoteStore } from '../adapters/storage/create-remote-store.js'
import type { RemoteStore } from '../adapters/storage/remote-store.js'
import { pullDataset } from '../dvc/sync.js'
import type { EventSink } from '../events/event-sink.js'
import type { EvaluationPorts } from '../registry/evaluation-port.js'
import { writeFileAtomic } from '../tracking/file-store/fs-util.js'
import { applyTrackingEnv, resolveFileStoreRoot } from '../tracking/tracking-env.js'
import { readWorkspaceConfig } from '../workspace/workspace-config-file.js'
import { addWorktree, worktreeHead } from './pipeline-git.js'
import { pipelineDir } from './run-record-file.js'

/** What every step of one pipeline run works with. */
export interface PipelineContext {
  /** The workspace (the user's repository; the pipeline never touches its working tree until main moved). */
  root: string
  remote: string
  branch: string
  config: WorkspaceConfig
  training: TrainingConfig
  /** MLflow's variables, with the workspace's tracking URI made absolute (the steps work in worktrees). */
  env: NodeJS.ProcessEnv
  events: EventSink
  signal?: AbortSignal
  /** The gate's evaluation (default: the training module's). */
  ports?: EvaluationPorts
  /** The DVC remote, opened from the workspace (its relative paths are the workspace's). */
  store: RemoteStore
  /** Scratch space of this run: the worktrees, the QA report. */
  workDir: string
  /** Worktree at the branch commit, with the merged `.dvc` files and the merged dataset. */
  branchTree: string
  /** Worktree at main, where the promotion's files and the merged `.dvc` files are committed. */
  mainTree: string
}

/** Options that shape a pipeline context. */
export interface ContextOptions {
  root: string
  branch: string
  remote?: string
  env?: NodeJS.ProcessEnv
  events: EventSink
  signal?: AbortSignal
  ports?: EvaluationPorts
  /** Training settings over the workspace config's (tests and benches use small ones). */
  trainingOverrides?: Partial<TrainingConfig>
}

/** Reads the workspace's config and prepares the context of a run on `branch`. */
export async function openPipelineContext(options: ContextOptions): Promise<PipelineContext> {
  const root = path.resolve(options.root)
  const config = await readWorkspaceConfig(root)
  const env = absoluteTrackingEnv(config, options.env ?? {}, root)
  const training = TrainingConfigSchema.parse({ ...config.training, ...options.trainingOverrides })
  const workDir = path.join(pipelineDir(root), 'work', options.branch.replace(/\//g, '--'))
  return {
    root,
    remote: options.remote ?? 'origin',
    branch: options.branch,
    config,
    training,
    env,
    events: options.events,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.ports === undefined ? {} : { ports: options.ports }),
    store: createRemoteStore(config.dataset.remote, root),
    workDir,
    branchTree: path.join(workDir, 'branch'),
    mainTree: path.join(workDir, 'main'),
  }
}

/** `MLFLOW_TRACKING_URI` as the workspace means it, absolute, so that it means the same inside a worktree. */
function absoluteTrackingEnv(config: WorkspaceConfig, env: NodeJS.ProcessEnv, root: string): NodeJS.ProcessEnv {
  const { uri } = applyTrackingEnv(config.tracking, env, root).tracking
  if (!uri.startsWith('file:')) return { ...env, MLFLOW_TRACKING_URI: uri }
  return { ...env, MLFLOW_TRACKING_URI: pathToFileURL(resolveFileStoreRoot(uri, root)).href }
}

/** Writes the merged `.dvc` files into a worktree. */
export async function writeDvcFiles(tree: string, files: Record<string, string>): Promise<void> {
  for (const [relpath, text] of Object.entries(files)) await writeFileAtomic(path.join(tree, relpath), text)
}

/**
 * Makes sure the branch worktree holds the merged dataset: the worktree at the branch commit (recreated when a
 * crash or a restart lost it), the merged `.dvc` files, and every file they name (downloaded when missing).
 */
export async function ensureMergedDataset(context: PipelineContext, record: PipelineRunRecord): Promise<void> {
  const merge = record.merge
  if (merge === null) throw new Error('The merge step has not run.')
  if ((await worktreeHead(context.branchTree)) !== record.commit) {
    await addWorktree(context.root, context.branchTree, record.commit)
  }
  await writeDvcFiles(context.branchTree, merge.dvcFiles)
  await pullDataset(context.branchTree, {
    store: context.store,
    events: context.events,
    ...(context.signal === undefined ? {} : { signal: context.signal }),
  })
}

/** A fresh main worktree at `commit` with the merged `.dvc` files written (promote and publish each make their own). */
export async function prepareMainTree(
  context: PipelineContext,
  record: PipelineRunRecord,
  commit: string,
): Promise<void> {
  await addWorktree(context.root, context.mainTree, commit)
  await writeDvcFiles(context.mainTree, record.merge?.dvcFiles ?? {})
}

/** Where the QA step keeps the full report for training to record. */
export function qaReportFile(context: PipelineContext): string {
  return path.join(context.workDir, 'qa-report.json')
}

/** True when `file` exists. */
export async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  )
}

/** Reads a text file, or undefined. */
export async function readOptional(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch(() => undefined)
}

/** Creates the scratch folder of the run. */
export async function ensureWorkDir(context: PipelineContext): Promise<void> {
  await mkdir(context.workDir, { recursive: true })
}
