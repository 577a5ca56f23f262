import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { WorkspaceConfig, WorkspaceConfigInput } from '@wms/shared/config/workspace-config'
import { WORKSPACE_CONFIG_FILE } from '@wms/shared/config/workspace-config'
import { WmsError } from '@wms/shared/errors'
import { openRepo } from '../adapters/git/run-git.js'
import { installHooks, type InstallHooksOptions, type InstallHooksResult } from '../hooks/install.js'
import { readWorkspaceConfig, writeWorkspaceConfig } from './workspace-config-file.js'

/**
 * `training-runner init`: makes a git repository a workspace — `wms.config.json` (written when missing, validated
 * when present: an invalid one is reported field by field and never overwritten), the `.gitignore` lines that keep
 * raw files and machine state out of git, the pre-push hook, the workflow templates this runner ships (when it
 * ships any), and the list of secrets and variables the user still has to set. Rerunning it changes nothing that is
 * already right; every part says whether it was created, updated or left unchanged.
 */

/** Options of {@link initWorkspace}. */
export interface InitOptions {
  name?: string
  runner?: 'local' | 'github-actions'
  /** Where the workflow templates are (default: this checkout's `resources/workflows`). */
  templatesDir?: string
  /** Install the pre-push hook (default true). */
  hook?: boolean
  /** Where the hook finds node and the runner's CLI (the desktop app's bundle is not this checkout). */
  hookOptions?: InstallHooksOptions
}

/** What one part of init did. */
export type InitState = 'created' | 'updated' | 'unchanged' | 'skipped'

/** What {@link initWorkspace} did, and what is left to the user. */
export interface InitResult {
  root: string
  config: InitState
  gitignore: InitState
  hook: InitState
  hookFile: string | null
  workflows: { file: string; state: InitState }[]
  /** The repository variables and secrets the installed workflows read (`vars.X`, `secrets.X`). */
  workflowSettings: { variables: string[]; secrets: string[] }
  /** Secrets and variables to set, and other steps only the user can do. */
  todo: string[]
}

const IGNORED = ['/.wms/', '/models/candidate/']

/** See the module comment. */
export async function initWorkspace(dir: string, options: InitOptions = {}): Promise<InitResult> {
  const root = path.resolve(dir)
  await assertRepositoryRoot(root)
  const { config, state } = await ensureConfig(root, options)
  const gitignore = await ensureGitignore(root, config)
  let hook: InstallHooksResult | undefined
  if (options.hook !== false) hook = await installHooks(root, options.hookOptions)
  const installed =
    config.pipeline.runner === 'github-actions'
      ? await installWorkflows(root, options.templatesDir ?? defaultTemplatesDir())
      : { workflows: [], settings: { variables: [], secrets: [] } }
  const { workflows, settings: workflowSettings } = installed
  return {
    root,
    config: state,
    gitignore,
    hook: hook === undefined ? 'skipped' : hook.state === 'installed' ? 'created' : hook.state,
    hookFile: hook?.hookFile ?? null,
    workflows,
    workflowSettings,
    todo: todoFor(config, workflows, workflowSettings),
  }
}

async function assertRepositoryRoot(root: string): Promise<void> {
  const top = (
    await openRepo(root)
      .raw(['rev-parse', '--show-toplevel'])
      .catch(() => '')
  ).trim()
  if (top === '') {
    throw new WmsError('git/not-a-repo', `${root} is not a git repository.`, {
      hint: `Run \`git init ${root}\` (or clone your repository) first, then init again.`,
    })
  }
  if (path.resolve(top) !== root) {
    throw new WmsError('usage/invalid-arguments', `${root} is inside the repository ${top}, not its root.`, {
      hint: `A workspace is a whole repository: run \`training-runner init ${top}\`.`,
    })
  }
}

function initialConfig(root: string, options: InitOptions): WorkspaceConfigInput {
  return {
    version: 1,
    name: options.name ?? path.basename(root),
    dataset: { root: 'data/training', remote: { type: 'local', path: '../dvc-remote' } },
    tracking: { uri: 'file:../mlruns' },
    github: null,
    pipeline: { runner: options.runner ?? 'local' },
  }
}

async function ensureConfig(
  root: string,
  options: InitOptions,
): Promise<{ config: WorkspaceConfig; state: InitState }> {
  try {
    return { config: await readWorkspaceConfig(root), state: 'unchanged' }
  } catch (thrown) {
    if (!(thrown instanceof WmsError && thrown.code === 'workspace/not-found')) throw thrown
  }
  await writeWorkspaceConfig(root, initialConfig(root, options))
  return { config: await readWorkspaceConfig(root), state: 'created' }
}

async function ensureGitignore(root: string, config: WorkspaceConfig): Promise<InitState> {
  const file = path.join(root, '.gitignore')
  const existing = await readFile(file, 'utf8').catch(() => undefined)
  const dataset = config.dataset.root.replace(/\/+$/, '')
  const wanted = [`/${dataset}/images/`, `/${dataset}/masks/`, ...IGNORED]
  const lines = new Set((existing ?? '').split(/\r?\n/).map((line) => line.trim()))
  const missing = wanted.filter((line) => !lines.has(line))
  if (missing.length === 0) return 'unchanged'
  const prefix = existing === undefined || existing === '' || existing.endsWith('\n') ? '' : '\n'
  const block = `${prefix}# WMS Studio: raw files live in the DVC remote; app state and candidates stay on this machine.\n${missing.join('\n')}\n`
  await writeFile(file, (existing ?? '') + block)
  return existing === undefined ? 'created' : 'updated'
}

/** This checkout's workflow templates (the GitHub pipeline ships them there). */
function defaultTemplatesDir(): string {
  return fileURLToPath(new URL('../../../resources/workflows', import.meta.url))
}

async function installWorkflows(
  root: string,
  templatesDir: string,
): Promise<{ workflows: { file: string; state: InitState }[]; settings: InitResult['workflowSettings'] }> {
  const templates = await readdir(templatesDir).catch(() => [])
  const installed: { file: string; state: InitState }[] = []
  const variables = new Set<string>()
  const secrets = new Set<string>()
  for (const name of templates.filter((file) => /\.ya?ml$/.test(file)).sort()) {
    const target = path.join(root, '.github', 'workflows', name)
    const [want, have] = await Promise.all([
      readFile(path.join(templatesDir, name), 'utf8'),
      readFile(target, 'utf8').catch(() => undefined),
    ])
    // What the workflow reads is what the user must set: taken from the template itself, so the list cannot drift.
    for (const [, kind, setting] of want.matchAll(/\b(vars|secrets)\.([A-Za-z0-9_]+)/g)) {
      if (setting !== undefined) (kind === 'vars' ? variables : secrets).add(setting)
    }
    const relative = path.relative(root, target).split(path.sep).join('/')
    if (have === want) {
      installed.push({ file: relative, state: 'unchanged' })
      continue
    }
    await mkdir(path.dirname(target), { recursive: true })
    await copyFile(path.join(templatesDir, name), target)
    installed.push({ file: relative, state: have === undefined ? 'created' : 'updated' })
  }
  return { workflows: installed, settings: { variables: [...variables].sort(), secrets: [...secrets].sort() } }
}

function todoFor(
  config: WorkspaceConfig,
  workflows: readonly { file: string }[],
  settings: InitResult['workflowSettings'],
): string[] {
  const todo: string[] = []
  const remote = config.dataset.remote
  if (config.pipeline.runner === 'local') {
    todo.push(
      'Pipeline: the local runner (the app, or `training-runner pipeline watch`) runs pushed data/* branches; no secrets needed.',
    )
  } else {
    if (workflows.length === 0)
      todo.push(
        'No workflow templates ship with this runner yet: add the data pipeline workflow to .github/workflows yourself.',
      )
    if (config.github === null) todo.push(`Set github.repo (owner/name) in ${WORKSPACE_CONFIG_FILE}.`)
    if (settings.variables.length > 0)
      todo.push(
        `GitHub repository variables the workflows read: ${settings.variables.join(', ')} (see WMS Studio's docs/GITHUB.md).`,
      )
    if (settings.secrets.length > 0)
      todo.push(
        `GitHub secrets the workflows read: ${settings.secrets.join(', ')} (GITHUB_TOKEN is provided by Actions).`,
      )
    if (remote.type === 's3')
      todo.push('GitHub secrets: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or an OIDC role) for the DVC bucket.')
    if (/^https?:/i.test(config.tracking.uri)) {
      todo.push(
        'GitHub secrets: MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN) for the MLflow server.',
      )
    } else {
      todo.push(
        `tracking.uri is ${config.tracking.uri}: CI cannot reach a local FileStore; set an MLflow server URL (or the variable MLFLOW_TRACKING_URI).`,
      )
    }
    if (remote.type === 'local') todo.push('dataset.remote is a local folder: CI cannot reach it; use an S3 remote.')
  }
  if (remote.type === 'local')
    todo.push(
      `The DVC remote is the folder ${remote.path}; push the dataset there with \`training-runner data add\` and \`data push\`.`,
    )
  return todo
}
