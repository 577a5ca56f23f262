import path from 'node:path'
import { initWorkspace } from '../../workspace/init-workspace.js'
import type { CommandContext, CommandOutcome } from '../context.js'

/** Options of `training-runner init`. */
export interface InitCommandOptions {
  name?: string
  runner: 'local' | 'github-actions'
  hook: boolean
}

/** `training-runner init [dir]`: make a git repository a workspace (safe to rerun). */
export async function initCommand(
  dir: string,
  options: InitCommandOptions,
  context: CommandContext,
): Promise<CommandOutcome> {
  const result = await initWorkspace(path.resolve(context.io.cwd, dir), {
    runner: options.runner,
    hook: options.hook,
    ...(options.name === undefined ? {} : { name: options.name }),
  })
  const lines = [
    `Workspace ${result.root}`,
    `  wms.config.json  ${result.config}`,
    `  .gitignore       ${result.gitignore}`,
    `  pre-push hook    ${result.hook}${result.hookFile === null ? '' : ` (${result.hookFile})`}`,
    ...result.workflows.map((workflow) => `  ${workflow.file}  ${workflow.state}`),
    ...(result.todo.length === 0 ? [] : ['', 'To do:', ...result.todo.map((line) => `  - ${line}`)]),
  ]
  return { exitCode: 0, result, human: lines.join('\n') }
}
