import { Option } from 'commander'
import { PIPELINE_RUN_STEPS } from '@wms/shared/pipeline/run-record'
import type {
  PipelineRunCommandOptions,
  PipelineStatusCommandOptions,
  PipelineWatchCommandOptions,
} from './commands/pipeline.js'
import type { InitCommandOptions } from './commands/init.js'
import { parseCount } from './parse-options.js'
import type { CommandRegistrar } from './registrar.js'

/** `pipeline run|status|watch` (the data pipeline of a branch, locally) and `init` (make a workspace). */
export const registerPipelineCommands: CommandRegistrar = (program, context, done) => {
  const pipeline = program
    .command('pipeline')
    .description('the data pipeline of a data branch: merge → qa → train → gate → promote → publish')

  pipeline
    .command('run')
    .description('run (or --resume) the pipeline of a data branch on the workspace origin, to a verdict')
    .requiredOption('--branch <name>', 'the data branch on the remote (data/YYYYMMDD-HHMMSS)')
    .option('-w, --workspace <dir>', 'workspace root', '.')
    .option('--remote <name>', 'the git remote the branch was pushed to', 'origin')
    .addOption(
      new Option('--step <name>', 'run only this step (the ones before it must be done)').choices([
        ...PIPELINE_RUN_STEPS,
      ]),
    )
    .option('--resume', 'finish the recorded run of the branch (after a crash, a kill, a failure)')
    .option('-c, --config <file>', 'training settings over the workspace config (JSON)')
    .option('--settle <ms>', 'wait this long and refuse when the branch still moves (a push arriving)', parseCount, 0)
    .action(async (options: PipelineRunCommandOptions) => {
      const { pipelineRunCommand } = await import('./commands/pipeline.js')
      done(await pipelineRunCommand(options, context()))
    })

  pipeline
    .command('status')
    .description('print the run record of a branch (or a line per branch)')
    .option('--branch <name>', 'the data branch')
    .option('-w, --workspace <dir>', 'workspace root', '.')
    .action(async (options: PipelineStatusCommandOptions) => {
      const { pipelineStatusCommand } = await import('./commands/pipeline.js')
      done(await pipelineStatusCommand(options, context()))
    })

  pipeline
    .command('watch')
    .description('the local runner: run every new data/* branch pushed to the origin, one at a time (Ctrl-C stops)')
    .option('-w, --workspace <dir>', 'workspace root', '.')
    .option('--remote <name>', 'the git remote to watch', 'origin')
    .option('--poll <ms>', 'how often to look for new branches', parseCount, 2000)
    .option('--once', 'run what is pending now, then stop')
    .action(async (options: PipelineWatchCommandOptions) => {
      const { pipelineWatchCommand } = await import('./commands/pipeline.js')
      done(await pipelineWatchCommand(options, context()))
    })

  program
    .command('init')
    .description(
      'make a git repository a WMS Studio workspace: wms.config.json, .gitignore, the pre-push hook, workflows; safe to rerun',
    )
    .argument('[dir]', 'the repository root', '.')
    .option('--name <name>', 'project name (default: the folder name)')
    .addOption(
      new Option('--runner <kind>', 'who runs the pipeline').choices(['local', 'github-actions']).default('local'),
    )
    .option('--no-hook', 'do not install the pre-push hook')
    .action(async (dir: string, options: InitCommandOptions) => {
      const { initCommand } = await import('./commands/init.js')
      done(await initCommand(dir, options, context()))
    })
}
