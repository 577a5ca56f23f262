import type { EvaluateCommandOptions } from './commands/evaluate.js'
import type { TrainCommandOptions } from './commands/train.js'
import type { CommandRegistrar } from './registrar.js'

/** `train`, `evaluate`, `predict`: the U-Net (TensorFlow.js loads only inside these commands). */
export const registerTrainingCommands: CommandRegistrar = (program, context, done) => {
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
    .option('--no-track', "do not record the run in the workspace's MLflow")
    .option(
      '--qa-report <file>',
      'QA report to record with the run (from `qa --report-json`; default: QA of the training dataset)',
    )
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
