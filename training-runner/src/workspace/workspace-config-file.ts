import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import {
  parseWorkspaceConfig,
  WORKSPACE_CONFIG_FILE,
  type WorkspaceConfig,
  type WorkspaceConfigInput,
} from '@wms/shared/config/workspace-config'

/** Reads and validates `<root>/wms.config.json`; throws a {@link WmsError} that names the file and the fields. */
export async function readWorkspaceConfig(root: string): Promise<WorkspaceConfig> {
  const file = path.join(root, WORKSPACE_CONFIG_FILE)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (thrown) {
    if ((thrown as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new WmsError(
        'workspace/not-found',
        `${root} is not a WMS Studio workspace: ${WORKSPACE_CONFIG_FILE} is missing.`,
        {
          hint: 'Open a workspace folder, or create one with `training-runner demo <dir>`.',
        },
      )
    }
    throw new WmsError('fs/io', `Cannot read ${file}: ${(thrown as Error).message}`, { cause: thrown })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (thrown) {
    throw new WmsError('workspace/invalid-config', `${file} is not valid JSON: ${(thrown as Error).message}`, {
      hint: `Fix the JSON syntax of ${WORKSPACE_CONFIG_FILE}.`,
    })
  }
  const parsed = parseWorkspaceConfig(json)
  if (!parsed.ok) throw new WmsError(parsed.error.code, parsed.error.message, { hint: parsed.error.hint ?? '' })
  return parsed.value
}

/** Writes a config file (pretty, stable key order as given, trailing newline). */
export async function writeWorkspaceConfig(root: string, config: WorkspaceConfigInput): Promise<void> {
  await writeFile(path.join(root, WORKSPACE_CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`)
}

/** Resolves a path from the config (relative to the workspace root) to an absolute one. */
export function resolveWorkspacePath(root: string, configured: string): string {
  return path.resolve(root, configured)
}
