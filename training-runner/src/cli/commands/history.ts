import path from 'node:path'
import { readHistory, renderHistoryText } from '../../registry/history.js'
import { openWorkspaceTracking } from '../../registry/open-workspace-tracking.js'
import type { CommandContext, CommandOutcome } from '../context.js'

/** `training-runner history`: the promotion timeline with metrics, and what the registry says is production now. */
export async function historyCommand(
  options: { workspace: string; registry: boolean },
  context: CommandContext,
): Promise<CommandOutcome> {
  const workspaceRoot = path.resolve(context.io.cwd, options.workspace)
  const { config, store } = await openWorkspaceTracking(workspaceRoot, { env: context.io.env, cwd: context.io.cwd })
  const history = await readHistory({ workspaceRoot, config, ...(options.registry ? { store } : {}) })
  return { exitCode: 0, result: history, human: renderHistoryText(history) }
}
