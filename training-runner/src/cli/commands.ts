import { InvalidArgumentError, type Command } from 'commander'
import type { CommandContext, CommandOutcome } from './context.js'
import type { QaCommandOptions, QaIndexCommandOptions } from './commands/qa.js'

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

  const qa = program
    .command('qa')
    .description(
      'check image/mask pairs (a dataset folder, folders or dropped files): pairing, files, geometry, masks, duplicates, privacy',
    )
    .argument('<inputs...>', 'dataset folder (images/ + masks/), other folders, or image/mask files')
    .option(
      '--against <index>',
      'dataset index of the existing dataset (from `qa index`): duplicates and name collisions',
    )
    .option('--replace <stems>', 'comma-separated pair names that replace existing pairs on purpose', parseList, [])
    .option('--report-json <file>', 'write the JSON report (schemaVersion 1) to <file>')
    .option('--markdown <file>', 'write the Markdown report (at most 60 KB, for PR bodies) to <file>')
    .option('--fix <out-dir>', 'write normalised copies (orientation baked, metadata stripped, PNG masks) to <out-dir>')
    .option('-w, --workspace <dir>', "take the QA thresholds from this workspace's wms.config.json")
    .option('--cache-dir <dir>', 'probe cache folder (default: ~/.cache/wms-studio/qa)')
    .option('--no-cache', 'do not read or write the probe cache')
    .option('--concurrency <n>', 'pairs checked side by side', parsePositive)
    .action(async (inputs: string[], options: QaCommandOptions) => {
      const { qaCommand } = await import('./commands/qa.js')
      done(await qaCommand(inputs, options, context()))
    })
  qa.command('index')
    .description('write the dataset index that `qa --against` reads (content hashes, perceptual hashes, sizes)')
    .argument('<dataset-dir>', 'dataset folder (images/ + masks/)')
    .requiredOption('--out <file>', 'index file to write')
    .option('-w, --workspace <dir>', "take the QA thresholds from this workspace's wms.config.json")
    .option('--cache-dir <dir>', 'probe cache folder (default: ~/.cache/wms-studio/qa)')
    .option('--no-cache', 'do not read or write the probe cache')
    .option('--concurrency <n>', 'pairs checked side by side', parsePositive)
    .action(async (dir: string, options: QaIndexCommandOptions) => {
      const { qaIndexCommand } = await import('./commands/qa.js')
      done(await qaIndexCommand(dir, options, context()))
    })

  registerDataCommands(program, context, done)
}

function parseList(value: string, previous: string[]): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  ]
}

function parsePositive(value: string): number {
  const n = parseCount(value)
  if (n === 0) throw new InvalidArgumentError('expected a number above 0')
  return n
}

/** `data …`: dataset versioning, DVC 3 compatible (`.dvc` files in git, raw files in the DVC remote). */
function registerDataCommands(
  program: Command,
  context: () => CommandContext,
  done: (outcome: CommandOutcome) => void,
): void {
  const data = program
    .command('data')
    .description('dataset versioning, DVC 3 compatible: status, add, push, pull, merge, diff')
  const workspaceOption = ['-w, --workspace <dir>', 'workspace root', '.'] as const

  data
    .command('status')
    .description('compare images/ and masks/ with their .dvc files')
    .option(...workspaceOption)
    .option('--offline', 'never contact the remote')
    .option('--check-remote', 'also check that the remote holds every tracked file (one request per file)')
    .action(async (options: { workspace: string; offline?: boolean; checkRemote?: boolean }) => {
      const { dataStatusCommand } = await import('./commands/data-status.js')
      done(await dataStatusCommand(options, context()))
    })

  data
    .command('add')
    .description('hash images/ and masks/ and write their .dvc files (like `dvc add`)')
    .option(...workspaceOption)
    .action(async (options: { workspace: string }) => {
      const { dataAddCommand } = await import('./commands/data-sync.js')
      done(await dataAddCommand(options, context()))
    })

  data
    .command('push')
    .description('upload the tracked files the remote lacks, then the manifests (like `dvc push`)')
    .option(...workspaceOption)
    .action(async (options: { workspace: string }) => {
      const { dataPushCommand } = await import('./commands/data-sync.js')
      done(await dataPushCommand(options, context()))
    })

  data
    .command('pull')
    .description('download the tracked files missing here (like `dvc pull`)')
    .option(...workspaceOption)
    .option('--force', 'also replace local files whose content differs')
    .action(async (options: { workspace: string; force?: boolean }) => {
      const { dataPullCommand } = await import('./commands/data-sync.js')
      done(await dataPullCommand(options, context()))
    })

  data
    .command('merge')
    .description("merge a data branch's new files into main's dataset without downloading it (the CI step)")
    .option(...workspaceOption)
    .option('--base <revision>', "main's revision holding the dataset's .dvc files", 'origin/main')
    .option('--commit', 'commit the new .dvc files on the branch')
    .option('--allow-empty', 'succeed even when the branch adds no new file')
    .action(async (options: { workspace: string; base: string; commit?: boolean; allowEmpty?: boolean }) => {
      const { dataMergeCommand } = await import('./commands/data-merge.js')
      done(await dataMergeCommand(options, context()))
    })

  data
    .command('diff')
    .description('files added, removed and changed between two dataset versions (git revisions, or "workdir")')
    .argument('<from>', 'revision (e.g. origin/main) or workdir')
    .argument('<to>', 'revision (e.g. HEAD) or workdir')
    .option(...workspaceOption)
    .option('--limit <n>', 'paths listed per kind', parseCount, 50)
    .action(async (from: string, to: string, options: { workspace: string; limit: number }) => {
      const { dataDiffCommand } = await import('./commands/data-diff.js')
      done(await dataDiffCommand(from, to, options, context()))
    })
}

function parseCount(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number, got "${value}"`)
  return n
}
