import type { CommandRegistrar } from '../cli/registrar.js'
import { parseCount, parsePositive } from '../cli/parse-options.js'
import type { ServeCommandOptions } from './serve-command.js'

/** `serve`: the prediction API (loads fastify and TensorFlow.js only when run). */
export const registerServeCommand: CommandRegistrar = (program, context, done) => {
  program
    .command('serve')
    .description(
      'serve the production model over HTTP (/predict, /health, /ready, /metrics, /docs); follows promotions live',
    )
    .option('-w, --workspace <dir>', 'workspace whose registry to serve from (else MLFLOW_TRACKING_URI)', '.')
    .option('--model <folder>', 'serve this model folder instead of the registry')
    .option('--alias <name>', 'registry alias to serve', 'production')
    .option('--model-name <name>', 'registered model (default: the workspace config’s, or water-meter-segmentation)')
    .option('--host <address>', 'address to listen on (0.0.0.0 in a container)', '127.0.0.1')
    .option('-p, --port <n>', 'port', parseCount, 8000)
    .option('--poll <seconds>', 'seconds between registry looks for a new production version', parseCount, 30)
    .option('--concurrency <n>', 'predictions running at once', parsePositive, 2)
    .option('--queue <n>', 'requests waiting beyond that before 503 + Retry-After', parseCount, 32)
    .option('-b, --backend <name>', 'auto|tensorflow|wasm|cpu|webgpu (env TFJS_BACKENDS)')
    .action(async (options: ServeCommandOptions) => {
      const { serveCommand } = await import('./serve-command.js')
      done(await serveCommand(options, context()))
    })
}
