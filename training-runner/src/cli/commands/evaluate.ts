import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import { SPLIT_NAMES, type SplitName } from '@wms/shared/dataset/split'
import { selectBackend } from '../../train/backend/select-backend.js'
import { evaluateModel } from '../../train/evaluate-model.js'
import type { CommandContext, CommandOutcome } from '../context.js'
import { formatScore } from '@wms/shared/gate/format-numbers'
import { formatNumber } from '@wms/shared/util/format'
import { resolveTrainingInputs } from './train-support.js'
import { refuseLinksLeaving } from '../../qa/dataset-links.js'

export interface EvaluateCommandOptions {
  workspace: string
  data?: string
  split: string
  backend?: string
}

/** `training-runner evaluate <model>`: per-image and mean scores of a model on a split. */
export async function evaluateCommand(
  modelDir: string,
  options: EvaluateCommandOptions,
  context: CommandContext,
): Promise<CommandOutcome> {
  const split = options.split
  if (split !== 'all' && !(SPLIT_NAMES as readonly string[]).includes(split)) {
    throw new WmsError('usage/invalid-arguments', `Unknown split "${split}".`, { hint: 'Use train, val, test or all.' })
  }
  const inputs = await resolveTrainingInputs(context.io.cwd, options)
  await refuseLinksLeaving(inputs.datasetRoot, 'evaluate on the dataset')
  const started = Date.now()
  context.events.emit({ type: 'step-start', step: 'evaluate', title: `Evaluating ${modelDir} on the ${split} split` })
  const backend = await selectBackend(inputs.config.backend, { events: context.events, env: context.io.env })
  const result = await evaluateModel(path.resolve(context.io.cwd, modelDir), {
    datasetRoot: inputs.datasetRoot,
    split: split as SplitName | 'all',
    backend,
    events: context.events,
  })
  const a = result.aggregate
  const n = result.native.aggregate
  const summary = `Dice ${formatScore(a.dice)} IoU ${formatScore(a.iou)} on ${String(a.count)} images at ${String(result.imageSize)}²; at each photo's size Dice ${formatScore(n.dice)} IoU ${formatScore(n.iou)}`
  context.events.emit({
    type: 'step-end',
    step: 'evaluate',
    status: 'ok',
    seconds: (Date.now() - started) / 1000,
    summary,
  })
  const rows = result.perImage.map(
    (s) =>
      `  ${s.id.padEnd(36)} ${formatScore(s.dice).padStart(6)} ${formatScore(s.iou).padStart(6)} ${formatScore(s.accuracy).padStart(6)} ${formatNumber(s.hausdorff, 1).padStart(7)}`,
  )
  return {
    exitCode: 0,
    result,
    human: [
      `${result.split} split, ${String(a.count)} images at ${String(result.imageSize)}², threshold ${String(result.threshold)}`,
      `  ${'image'.padEnd(36)} ${'Dice'.padStart(6)} ${'IoU'.padStart(6)} ${'acc'.padStart(6)} ${'Hausd.'.padStart(7)}`,
      ...rows,
      `  ${'mean'.padEnd(36)} ${formatScore(a.dice).padStart(6)} ${formatScore(a.iou).padStart(6)} ${formatScore(a.accuracy).padStart(6)} ${formatNumber(a.hausdorff, 1).padStart(7)}`,
      `  ${'mean at each photo’s own size'.padEnd(36)} ${formatScore(n.dice).padStart(6)} ${formatScore(n.iou).padStart(6)} ${formatScore(n.accuracy).padStart(6)}`,
    ].join('\n'),
  }
}
