import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { parse as parseYaml } from 'yaml'
import { WmsError } from '@wms/shared/errors'
import { TrainingConfigSchema, type TrainingConfig } from '@wms/shared/config/training-config'
import { WORKSPACE_CONFIG_FILE } from '@wms/shared/config/workspace-config'
import { formatSchemaIssues } from '@wms/shared/util/schema-issues'
import { readWorkspaceConfig, resolveWorkspacePath } from '../../workspace/workspace-config-file.js'
import { BACKEND_PREFERENCES, type BackendPreference } from '../../train/backend/select-backend.js'

/** Where the training commands find their dataset and settings. */
export interface TrainingInputs {
  config: TrainingConfig
  datasetRoot: string
  workspaceRoot: string
}

/**
 * Resolves settings and data for `train`/`evaluate`: the workspace config's `training` section, overridden by
 * `--config <file>` (JSON or YAML; either a training section or a whole workspace config), then by flags; the
 * dataset is `--data` or the workspace's `dataset.root`. Without a workspace, `--data` is required.
 */
export async function resolveTrainingInputs(
  cwd: string,
  options: { workspace: string; config?: string; data?: string; backend?: string },
): Promise<TrainingInputs> {
  const workspaceRoot = path.resolve(cwd, options.workspace)
  let base: Record<string, unknown> = {}
  let datasetRoot: string | undefined = options.data === undefined ? undefined : path.resolve(cwd, options.data)
  try {
    const workspace = await readWorkspaceConfig(workspaceRoot)
    base = { ...workspace.training }
    if (datasetRoot === undefined) datasetRoot = resolveWorkspacePath(workspaceRoot, workspace.dataset.root)
  } catch (thrown) {
    if (!(thrown instanceof WmsError && thrown.code === 'workspace/not-found') || datasetRoot === undefined) {
      if (thrown instanceof WmsError && thrown.code === 'workspace/not-found') {
        throw new WmsError('workspace/not-found', thrown.message, {
          hint: `Run it in a workspace (with ${WORKSPACE_CONFIG_FILE}), pass --workspace <dir>, or give the dataset with --data <dir>.`,
        })
      }
      throw thrown
    }
  }
  if (options.config !== undefined) base = { ...base, ...(await readConfigFile(path.resolve(cwd, options.config))) }
  if (options.backend !== undefined) base.backend = parseBackend(options.backend)
  const parsed = TrainingConfigSchema.safeParse(base)
  if (!parsed.success) {
    throw new WmsError('workspace/invalid-config', `Invalid training settings:\n${formatSchemaIssues(parsed.error)}`, {
      hint: 'Fix the listed fields in the config file.',
    })
  }
  return { config: parsed.data, datasetRoot, workspaceRoot }
}

async function readConfigFile(file: string): Promise<Record<string, unknown>> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (thrown) {
    throw new WmsError('fs/not-found', `Cannot read the config file ${file}: ${(thrown as Error).message}`, {
      hint: 'Check the --config path.',
    })
  }
  let value: unknown
  try {
    value = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text)
  } catch (thrown) {
    throw new WmsError('workspace/invalid-config', `${file} is not valid: ${(thrown as Error).message}`, {
      hint: 'The config file is JSON (or YAML with a .yaml extension).',
    })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WmsError('workspace/invalid-config', `${file} must contain an object of training settings.`)
  }
  const object = value as Record<string, unknown>
  const training = object.training
  return typeof training === 'object' && training !== null ? (training as Record<string, unknown>) : object
}

/** Validates a `--backend` value. */
export function parseBackend(value: string): BackendPreference {
  if ((BACKEND_PREFERENCES as readonly string[]).includes(value)) return value as BackendPreference
  throw new WmsError('usage/invalid-arguments', `Unknown backend "${value}".`, {
    hint: `Use one of ${BACKEND_PREFERENCES.join(', ')}.`,
  })
}
