import { InvalidArgumentError, type Command } from 'commander'
import type { CommandContext, CommandOutcome } from './context.js'
import type { EvaluateCommandOptions } from './commands/evaluate.js'
import type { TrainCommandOptions } from './commands/train.js'

/**
 * The command table. Each action lazy-imports its implementation, so `qa` never loads TensorFlow and
 * `--help` loads nothing at all (type-only imports are erased).
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

  const backendHelp =
    'auto|tensorflow|wasm|cpu|webgpu (auto: tfjs-node-gpu → tfjs-node → wasm → cpu; env TFJS_BACKENDS)'
  program
    .command('train')
    .description(
      'train the U-Net on the workspace dataset and export the best model (model.json, weights.bin, metadata.json)',
    )
    .option('-w, --workspace <dir>', 'workspace root', '.')
    .option('-c, --config <file>', 'training settings (JSON/YAML), over the workspace config')
    .option('--data <dir>', 'dataset folder with images/ and masks/ (default: the workspace dataset)')
    .option('-o, --out <dir>', 'model folder to write (default: <workspace>/models/candidate)')
    .option('-b, --backend <name>', backendHelp)
    .option('--no-resume', 'start over even if a matching checkpoint exists')
    .option('--data-version <id>', 'dataset version to record in the metadata (e.g. the DVC hash)')
    .action(async (options: TrainCommandOptions) => {
      const { trainCommand } = await import('./commands/train.js')
      done(await trainCommand(options, context()))
    })

  program
    .command('evaluate')
    .description('score a model on a split of the dataset: Dice, IoU, accuracy, Hausdorff per image and mean')
    .argument('<model>', 'model folder')
    .option('-w, --workspace <dir>', 'workspace root', '.')
    .option('--data <dir>', 'dataset folder (default: the workspace dataset)')
    .option('-s, --split <name>', 'train, val, test or all', 'test')
    .option('-b, --backend <name>', backendHelp)
    .action(async (model: string, options: EvaluateCommandOptions) => {
      const { evaluateCommand } = await import('./commands/evaluate.js')
      done(await evaluateCommand(model, options, context()))
    })

  program
    .command('predict')
    .description('predict binary PNG masks (and overlays) for photos, at each photo’s own size')
    .argument('<model>', 'model folder')
    .argument('<images...>', 'photos (JPEG/PNG)')
    .requiredOption('-o, --out <dir>', 'folder for <name>.mask.png and <name>.overlay.jpg')
    .option('--no-overlay', 'masks only')
    .option('-b, --backend <name>', backendHelp)
    .action(async (model: string, images: string[], options: { out: string; overlay: boolean; backend?: string }) => {
      const { predictCommand } = await import('./commands/predict.js')
      done(await predictCommand(model, images, options, context()))
    })
}

function parseCount(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number, got "${value}"`)
  return n
}
