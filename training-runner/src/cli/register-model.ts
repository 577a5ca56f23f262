import { parsePositive, parseVersion } from './parse-options.js'
import type { CommandRegistrar } from './registrar.js'

/** `gate`, `promote`, `history`, `rollback`: which model is in production, and why. */
export const registerModelCommands: CommandRegistrar = (program, context, done) => {
  program
    .command('gate')
    .description(
      'evaluate a candidate run AND production on the same test split; exit 1 unless the candidate is better',
    )
    .requiredOption('--run <id>', 'the candidate MLflow run id (the run training created)')
    .option('-w, --workspace <dir>', 'workspace root', '.')
    .option('--allow-bootstrap', 'pass even when production exists but cannot be evaluated (otherwise: fail closed)')
    .option('--markdown <file>', 'also write the verdict as Markdown (for a PR body)')
    .action(async (options: { run: string; workspace: string; allowBootstrap?: boolean; markdown?: string }) => {
      const { gateCommand } = await import('./commands/gate.js')
      done(await gateCommand(options, context()))
    })

  program
    .command('promote')
    .description(
      'register a run that passed the gate, move alias production to it, update model-metadata.json and history',
    )
    .requiredOption('--run <id>', 'the MLflow run id that passed `gate`')
    .option('-w, --workspace <dir>', 'workspace root', '.')
    .option('--branch <name>', 'source data branch (default: GITHUB_HEAD_REF / GITHUB_REF_NAME)')
    .option('--pr <number>', 'pull request number', parsePositive)
    .option('--github-run <id>', 'CI run id (default: GITHUB_RUN_ID)')
    .option('--also-stage', 'also move the deprecated Production stage, for old consumers')
    .action(
      async (options: {
        run: string
        workspace: string
        branch?: string
        pr?: number
        githubRun?: string
        alsoStage?: boolean
      }) => {
        const { promoteCommand } = await import('./commands/promote.js')
        done(await promoteCommand(options, context()))
      },
    )

  program
    .command('history')
    .description('print the production timeline (promotions and rollbacks) with metrics')
    .option('-w, --workspace <dir>', 'workspace root', '.')
    .option('--no-registry', 'read only models/production-history.jsonl, without asking MLflow')
    .action(async (options: { workspace: string; registry: boolean }) => {
      const { historyCommand } = await import('./commands/history.js')
      done(await historyCommand(options, context()))
    })

  program
    .command('rollback')
    .description('make an earlier registered version production again, and record it')
    .argument('<version>', 'registry version number', parseVersion)
    .option('-w, --workspace <dir>', 'workspace root', '.')
    .option('--reason <text>', 'why (kept in the history and on the version)')
    .option('--also-stage', 'also move the deprecated Production stage')
    .action(async (version: string, options: { workspace: string; reason?: string; alsoStage?: boolean }) => {
      const { rollbackCommand } = await import('./commands/rollback.js')
      done(await rollbackCommand(version, options, context()))
    })
}
