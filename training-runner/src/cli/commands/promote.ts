import path from 'node:path'
import { openWorkspaceTracking } from '../../registry/open-workspace-tracking.js'
import { promote, type PromotionSource } from '../../registry/promote.js'
import type { CommandContext, CommandOutcome } from '../context.js'

/** Options of `training-runner promote`. */
export interface PromoteCommandOptions {
  workspace: string
  run: string
  branch?: string
  pr?: number
  githubRun?: string
  alsoStage?: boolean
}

/** `training-runner promote --run <id>`: register the gated run, move alias `production`, write the files. */
export async function promoteCommand(options: PromoteCommandOptions, context: CommandContext): Promise<CommandOutcome> {
  const workspaceRoot = path.resolve(context.io.cwd, options.workspace)
  const { config, store } = await openWorkspaceTracking(workspaceRoot, { env: context.io.env, cwd: context.io.cwd })
  const env = context.io.env
  const source: PromotionSource = {}
  const branch = options.branch ?? nonEmpty(env.GITHUB_HEAD_REF) ?? nonEmpty(env.GITHUB_REF_NAME)
  const githubRun = options.githubRun ?? nonEmpty(env.GITHUB_RUN_ID)
  if (branch !== undefined) source.branch = branch
  if (options.pr !== undefined) source.pr = options.pr
  if (githubRun !== undefined) source.githubRun = githubRun
  const result = await promote({
    store,
    workspaceRoot,
    config,
    runId: options.run,
    source,
    alsoSetStage: options.alsoStage === true,
    events: context.events,
  })
  const was = result.previousVersion === null ? 'first production model' : `was v${result.previousVersion}`
  const human = result.alreadyProduction
    ? `Run ${result.runId} is already production as ${result.modelName} v${result.version}; files brought up to date.`
    : `Promoted run ${result.runId} to ${result.modelName} v${result.version} (${result.pointer} production; ${was}).`
  return {
    exitCode: 0,
    result,
    human: [
      human,
      `  wrote model-metadata.json${result.historyAppended ? ' and models/production-history.jsonl' : ''}`,
    ].join('\n'),
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}
