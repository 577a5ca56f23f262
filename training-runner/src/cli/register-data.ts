import { parseCount } from './parse-options.js'
import type { CommandRegistrar } from './registrar.js'

/** `data …`: dataset versioning, DVC 3 compatible (`.dvc` files in git, raw files in the DVC remote). */
export const registerDataCommands: CommandRegistrar = (program, context, done) => {
  const data = program
    .command('data')
    .description('dataset versioning, DVC 3 compatible: status, add, remove, push, pull, merge, diff')
  const workspaceOption = ['-w, --workspace <dir>', 'workspace root', '.'] as const

  data
    .command('status')
    .description('compare images/ and masks/ with their .dvc files')
    .option(...workspaceOption)
    .option('--offline', 'never contact the remote')
    .option('--check-remote', 'also check that the remote holds every tracked file, intact (one request per file)')
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
    .command('remove')
    .description('delete tracked files from the dataset on purpose (an image together with its mask)')
    .argument('<files...>', 'paths relative to the dataset root, e.g. images/x.jpg masks/x.png')
    .option(...workspaceOption)
    .action(async (files: string[], options: { workspace: string }) => {
      const { dataRemoveCommand } = await import('./commands/data-sync.js')
      done(await dataRemoveCommand(files, options, context()))
    })

  data
    .command('push')
    .description('upload the tracked files the remote lacks, then the manifests (like `dvc push`)')
    .option(...workspaceOption)
    .option('--repair', 'check every tracked file in the remote and replace damaged copies with the good ones here')
    .action(async (options: { workspace: string; repair?: boolean }) => {
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
