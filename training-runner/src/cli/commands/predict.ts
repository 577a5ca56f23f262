import path from 'node:path'
import { parseBackend } from './train-support.js'
import { predictImages } from '../../train/predict.js'
import type { CommandContext, CommandOutcome } from '../context.js'

/** `training-runner predict <model> <image...> --out <dir>`: binary PNG masks (and overlays) at each photo's size. */
export async function predictCommand(
  modelDir: string,
  images: string[],
  options: { out: string; overlay: boolean; backend?: string },
  context: CommandContext,
): Promise<CommandOutcome> {
  const files = await predictImages(
    path.resolve(context.io.cwd, modelDir),
    images.map((image) => path.resolve(context.io.cwd, image)),
    path.resolve(context.io.cwd, options.out),
    { overlay: options.overlay, backend: parseBackend(options.backend ?? 'auto'), events: context.events },
  )
  return {
    exitCode: 0,
    result: { predictions: files },
    human: files
      .map((f) => `${f.mask}  ${String(f.width)}×${String(f.height)}  ${(f.foreground * 100).toFixed(1)} % foreground`)
      .join('\n'),
  }
}
