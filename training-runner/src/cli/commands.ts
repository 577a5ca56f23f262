import type { Command } from 'commander'
import type { CommandContext, CommandOutcome } from './context.js'
import { parseCount } from './parse-options.js'
import { registerDataCommands } from './register-data.js'
import { registerHooksCommands } from './register-hooks.js'
import { registerModelCommands } from './register-model.js'
import { registerPipelineCommands } from './register-pipeline.js'
import { registerGitHubCommands } from './register-github.js'
import { registerQaCommands } from './register-qa.js'
import { registerTrainingCommands } from './register-training.js'
import { registerServeCommand } from '../serve/register-serve.js'

/**
 * The command table. Each action lazy-imports its implementation, so `qa` never loads TensorFlow and
 * `--help` loads nothing at all. Groups register themselves from their own files.
 */
export function registerCommands(
  program: Command,
  context: () => CommandContext,
  done: (outcome: CommandOutcome) => void,
): void {
  program
    .command('demo')
    .description('create the demo workspace (git repo + bare origin, DVC remote, mlruns, synthetic dataset) in <dir>')
    .argument('<dir>', 'folder to create it in (must be empty or absent)')
    .option('--pairs <n>', 'synthetic pairs in the initial dataset', parseCount, 20)
    .option('--incoming <n>', 'synthetic pairs in the incoming/ folder for the annotator to add', parseCount, 12)
    .action(async (dir: string, options: { pairs: number; incoming: number }) => {
      const { demoCommand } = await import('./commands/demo.js')
      done(await demoCommand(dir, options, context()))
    })

  program
    .command('info')
    .description('describe a workspace: repository, branch, remotes, DVC remote, tracking')
    .option('-w, --workspace <dir>', 'workspace root', '.')
    .action(async (options: { workspace: string }) => {
      const { infoCommand } = await import('./commands/info.js')
      done(await infoCommand(options, context()))
    })

  registerQaCommands(program, context, done)
  registerDataCommands(program, context, done)
  registerTrainingCommands(program, context, done)
  registerModelCommands(program, context, done)
  registerHooksCommands(program, context, done)
  registerServeCommand(program, context, done)
  registerPipelineCommands(program, context, done)
  registerGitHubCommands(program, context, done)
}
