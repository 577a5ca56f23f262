import type { QaCommandOptions, QaIndexCommandOptions } from './commands/qa.js'
import { parseList, parsePositive } from './parse-options.js'
import type { CommandRegistrar } from './registrar.js'

/** `qa` and `qa index`: dataset QA (never loads TensorFlow). */
export const registerQaCommands: CommandRegistrar = (program, context, done) => {
  const qa = program
    .command('qa')
    .description(
      'check image/mask pairs (a dataset folder, folders or dropped files): pairing, files, geometry, masks, duplicates, privacy',
    )
    .argument('<inputs...>', 'dataset folder (images/ + masks/), other folders, or image/mask files')
    .option(
      '--against <workspace|.dvc|index>',
      'the existing dataset: a workspace or its .dvc file (reads only manifests when the files are not here), or a dataset index from `qa index`; finds duplicates and name collisions',
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
}
