import path from 'node:path'
import { readWorkspaceInfo } from '../../workspace/workspace-info.js'
import type { CommandContext, CommandOutcome } from '../context.js'

/** `training-runner info`: what the app's workspace header shows, for scripts and support. */
export async function infoCommand(options: { workspace: string }, context: CommandContext): Promise<CommandOutcome> {
  const info = await readWorkspaceInfo(path.resolve(context.io.cwd, options.workspace), {
    env: context.io.env,
    cwd: context.io.cwd,
  })
  const fromEnv = (part: 'uri' | 'experiment', variable: string): string =>
    info.tracking.sources?.[part] === 'environment' ? ` (from ${variable})` : ' (from wms.config.json)'
  const remotes = info.git.remotes.map((remote) => `${remote.name} ${remote.url}`).join(', ') || 'none'
  return {
    exitCode: 0,
    result: info,
    human: [
      `${info.name}${info.isDemo ? ' (demo)' : ''}  ${info.root}`,
      `  branch      ${branchText(info.git)}${info.git.dirty ? ' (uncommitted changes)' : ''}`,
      `  git remotes ${remotes}`,
      `  DVC remote  ${info.dataRemote.kind}: ${info.dataRemote.display}`,
      `  tracking    ${info.tracking.kind}: ${info.tracking.display}${fromEnv('uri', 'MLFLOW_TRACKING_URI')}`,
      `  experiment  ${info.tracking.experiment}${fromEnv('experiment', 'MLFLOW_EXPERIMENT_NAME')}`,
      `  pipeline    ${info.pipelineRunner}`,
      `  dataset     ${info.dataset.root}${info.dataset.trackedImages === null ? ' (no version yet)' : `, ${String(info.dataset.trackedImages)} pairs`}`,
    ].join('\n'),
  }
}

// No branch and no commit: git found no repository here (a detached HEAD still has a commit).
function branchText(git: { branch: string | null; head: string | null }): string {
  if (git.branch !== null) return git.branch
  return git.head === null ? '(not a git repository: run `git init`, or open the clone)' : '(detached)'
}
