import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import { selectBackend } from '../../train/backend/select-backend.js'
import { trainAndTrack } from '../../pipeline/train-and-track.js'
import { readWorkspaceConfig } from '../../workspace/workspace-config-file.js'
import { refuseLinksLeaving } from '../../qa/dataset-links.js'
import type { CommandContext, CommandOutcome } from '../context.js'
import { formatScore } from '@wms/shared/gate/format-numbers'
import { formatNumber } from '@wms/shared/util/format'
import { resolveTrainingInputs } from './train-support.js'

export interface TrainCommandOptions {
  workspace: string
  config?: string
  data?: string
  out?: string
  backend?: string
  resume: boolean
  dataVersion?: string
  /** `--no-track` turns recording in MLflow off. */
  track: boolean
  /** A QA report file to record with the run instead of checking the training data here. */
  qaReport?: string
}

/** `training-runner train`: trains on the workspace dataset and exports the best model. */
export async function trainCommand(options: TrainCommandOptions, context: CommandContext): Promise<CommandOutcome> {
  const inputs = await resolveTrainingInputs(context.io.cwd, options)
  await refuseLinksLeaving(inputs.datasetRoot, 'train on the dataset')
  const outDir = path.resolve(context.io.cwd, options.out ?? path.join(inputs.workspaceRoot, 'models', 'candidate'))
  context.events.emit({
    type: 'step-start',
    step: 'train',
    title: `Training the U-Net (${String(inputs.config.imageSize)}², batch ${String(inputs.config.batchSize)})`,
  })
  const started = Date.now()
  const backend = await selectBackend(inputs.config.backend, { events: context.events, env: context.io.env })
  // Ctrl-C (or the app stopping the child) ends training after the current step; the checkpoint stays, so
  // running the same command again resumes. The MLflow run ends KILLED, the exit code is 130.
  const signal = context.interrupts?.signal('Stopping after this step… (the run will be marked KILLED)')
  // Without a workspace (a bare --data folder) there is no MLflow to record in.
  const workspaceConfig = await readWorkspaceConfig(inputs.workspaceRoot).catch(() => null)
  const { result, runId, experiment } = await trainAndTrack({
    workspaceRoot: inputs.workspaceRoot,
    workspaceConfig,
    training: inputs.config,
    datasetRoot: inputs.datasetRoot,
    outDir,
    backend,
    resume: options.resume,
    dataVersion: options.dataVersion ?? null,
    track: options.track,
    qaReport: options.qaReport === undefined ? 'dataset' : { file: path.resolve(context.io.cwd, options.qaReport) },
    events: context.events,
    ...(signal === undefined ? {} : { signal }),
    env: context.io.env,
    cwd: context.io.cwd,
  }).catch((thrown: unknown) => {
    throw withNoTrackHint(thrown)
  })
  const test = result.testMetrics?.aggregate
  const summary = `best epoch ${String(result.bestEpoch)}/${String(result.epochsRun)}, test Dice ${formatScore(test?.dice)} IoU ${formatScore(test?.iou)}`
  context.events.emit({
    type: 'step-end',
    step: 'train',
    status: 'ok',
    seconds: (Date.now() - started) / 1000,
    summary,
  })
  const { testMetrics, valMetrics, ...rest } = result
  return {
    exitCode: 0,
    result: { ...rest, testMetrics, valMetrics, runId, experiment },
    human: [
      `Model written to ${result.modelDir}`,
      ...(runId === null
        ? []
        : [`  MLflow run  ${runId} (${experiment ?? ''}); next: training-runner gate --run ${runId}`]),
      `  backend     ${result.backend.candidate}`,
      `  data        ${String(result.counts.train)} train / ${String(result.counts.val)} val / ${String(result.counts.test)} test`,
      `  epochs      ${String(result.epochsRun)} (best ${String(result.bestEpoch)}${result.stoppedEarly ? ', stopped early' : ''}), ${formatNumber(result.seconds / Math.max(1, result.epochsRun), 1)} s per epoch`,
      `  validation  Dice ${formatScore(valMetrics?.aggregate.dice)}  IoU ${formatScore(valMetrics?.aggregate.iou)}  loss ${formatScore(valMetrics?.loss)}`,
      `  test        Dice ${formatScore(test?.dice)}  IoU ${formatScore(test?.iou)}  accuracy ${formatScore(test?.accuracy)}  Hausdorff ${formatNumber(test?.hausdorff, 1)}`,
    ].join('\n'),
  }
}

/** MLflow down is no reason to lose a training: say how to train without recording. */
function withNoTrackHint(thrown: unknown): unknown {
  if (!(thrown instanceof WmsError) || !['tracking/unavailable', 'tracking/auth-failed'].includes(thrown.code)) {
    return thrown
  }
  const hint = `${thrown.hint === undefined ? '' : `${thrown.hint} `}Or train without recording the run: add --no-track (the gate then has no run to judge).`
  return new WmsError(thrown.code, thrown.message, {
    hint,
    ...(thrown.retryable === undefined ? {} : { retryable: thrown.retryable }),
    cause: thrown,
  })
}
