import type { WorkspaceConfig } from '@wms/shared/config/workspace-config'
import type { TrainingConfig } from '@wms/shared/config/training-config'
import { RUN_TAGS } from '@wms/shared/tracking/tags'
import { nullSink, type EventSink } from '../events/event-sink.js'
import { openWorkspaceTracking } from '../registry/open-workspace-tracking.js'
import { collectRunTags, runNameFor } from '../tracking/provenance.js'
import { startRun, type RunLogger } from '../tracking/run-logger.js'
import type { BackendChoice } from '../train/backend/select-backend.js'
import { trainModel, type EpochRecord, type TrainResult } from '../train/train-model.js'

/** Options of {@link trainAndTrack}. */
export interface TrainAndTrackOptions {
  workspaceRoot: string
  /** The workspace config; `null` trains without recording (a bare dataset folder, no workspace). */
  workspaceConfig: WorkspaceConfig | null
  /** Training settings actually used (workspace config, overridden by files and flags). */
  training: TrainingConfig
  datasetRoot: string
  outDir: string
  backend: BackendChoice
  resume?: boolean
  dataVersion?: string | null
  /** Record the run in the workspace's MLflow (default true when there is a workspace config). */
  track?: boolean
  events?: EventSink
  signal?: AbortSignal
  env?: NodeJS.ProcessEnv
}

/** A finished training run and the MLflow run that records it. */
export interface TrackedTraining {
  result: TrainResult
  /** The MLflow run id (what `gate --run` and `promote --run` take), or null when not recorded. */
  runId: string | null
  experiment: string | null
}

/**
 * Trains and records the run in MLflow as it goes: the full config as params, every epoch's losses and scores
 * live (so the app can draw curves during training), provenance tags (git sha, data version, counts, backend),
 * then the model files, their metadata and the final test scores with per-image results. A failed or stopped
 * training marks the run FAILED or KILLED, never FINISHED, so the gate cannot pick it up.
 */
export async function trainAndTrack(options: TrainAndTrackOptions): Promise<TrackedTraining> {
  const events = options.events ?? nullSink
  const config = options.workspaceConfig
  let logger: RunLogger | undefined
  if (config !== null && options.track !== false) {
    const { store } = await openWorkspaceTracking(options.workspaceRoot, {
      ...(options.env === undefined ? {} : { env: options.env }),
    })
    const tags = await collectRunTags({
      workspaceRoot: options.workspaceRoot,
      config,
      backend: options.backend.name,
      ...(options.env === undefined ? {} : { env: options.env }),
    })
    logger = await startRun(store, { experiment: config.tracking.experiment, runName: runNameFor(tags), tags, events })
    await logger.logParams(options.training)
    events.emit({
      type: 'log',
      level: 'info',
      message: `Recording MLflow run ${logger.runId} in ${config.tracking.experiment}`,
    })
  }
  const record = async (epoch: EpochRecord): Promise<void> => {
    const metrics: Record<string, number> = {
      train_loss: epoch.trainLoss,
      train_dice: epoch.trainDice,
      train_iou: epoch.trainIou,
      learning_rate: epoch.learningRate,
      epoch_seconds: epoch.seconds,
    }
    if (epoch.valLoss !== null) metrics.val_loss = epoch.valLoss
    if (epoch.valDice !== null) metrics.val_dice = epoch.valDice
    if (epoch.valIou !== null) metrics.val_iou = epoch.valIou
    await logger?.logMetrics(metrics, epoch.epoch)
  }
  let result: TrainResult
  try {
    result = await trainModel({
      datasetRoot: options.datasetRoot,
      config: options.training,
      outDir: options.outDir,
      backend: options.backend,
      events,
      onEpochEnd: record,
      ...(options.resume === undefined ? {} : { resume: options.resume }),
      ...(options.dataVersion === undefined ? {} : { dataVersion: options.dataVersion }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    })
  } catch (thrown) {
    await logger?.finish(options.signal?.aborted === true ? 'KILLED' : 'FAILED').catch(() => undefined)
    throw thrown
  }
  if (logger !== undefined) {
    const { counts } = result
    await logger.setTags({
      [RUN_TAGS.pairsTrain]: String(counts.train),
      [RUN_TAGS.pairsVal]: String(counts.val),
      [RUN_TAGS.pairsTest]: String(counts.test),
      [RUN_TAGS.pairsTotal]: String(counts.train + counts.val + counts.test),
      [RUN_TAGS.backend]: result.backend.name,
    })
    await logger.logModel(result.modelDir)
    await logger.logMetadata(result.metadata)
    if (result.testMetrics !== null) {
      const { aggregate, perImage } = result.testMetrics
      await logger.logTestResults(
        {
          aggregate: {
            dice: aggregate.dice,
            iou: aggregate.iou,
            accuracy: aggregate.accuracy,
            hausdorff: aggregate.hausdorff,
          },
          perImage: perImage.map((image) => ({ id: image.id, dice: image.dice, iou: image.iou })),
        },
        result.bestEpoch,
      )
    }
    await logger.finish('FINISHED')
  }
  return { result, runId: logger?.runId ?? null, experiment: config?.tracking.experiment ?? null }
}
