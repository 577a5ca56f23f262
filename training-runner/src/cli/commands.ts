import { InvalidArgumentError, type Command } from 'commander'
import type { CommandContext, CommandOutcome } from './context.js'

/**
 * The command table. Each action lazy-imports its implementation, so `qa` never loads TensorFlow and
 * `--help` loads nothing at all.
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
    .option('--pr <number>', 'pull request number', parsePositiveInt)
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

function parsePositiveInt(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive whole number, got "${value}"`)
  return n
}

function parseVersion(value: string): string {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a registry version number, got "${value}"`)
  return value
}

function parseCount(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number, got "${value}"`)
  return n
}
