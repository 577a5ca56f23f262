import path from 'node:path'
import { openWorkspaceTracking } from '../../registry/open-workspace-tracking.js'
import { rollback } from '../../registry/rollback.js'
import type { CommandContext, CommandOutcome } from '../context.js'

/** `training-runner rollback <version>`: make an earlier version production again, and record it. */
export async function rollbackCommand(
  version: string,
  options: { workspace: string; reason?: string; alsoStage?: boolean },
  context: CommandContext,
): Promise<CommandOutcome> {
  const workspaceRoot = path.resolve(context.io.cwd, options.workspace)
  const { config, store } = await openWorkspaceTracking(workspaceRoot, { env: context.io.env, cwd: context.io.cwd })
  const result = await rollback({
    store,
    workspaceRoot,
    config,
    version,
    alsoSetStage: options.alsoStage === true,
    events: context.events,
    ...(options.reason === undefined ? {} : { reason: options.reason }),
  })
  const human =
    result.alreadyProduction && !result.historyAppended
      ? `${result.modelName} v${result.version} is already production.`
      : `${result.modelName} v${result.version} is production again${result.previousVersion === null ? '' : ` (was v${result.previousVersion})`}.`
  return { exitCode: 0, result, human }
}
