import type { WorkspaceConfig } from '@wms/shared/config/workspace-config'
import type { TrainingConfig } from '@wms/shared/config/training-config'
import { WmsError } from '@wms/shared/errors'
import type { QaReport } from '@wms/shared/qa/report'
import { ARTIFACT_PATHS, RUN_TAGS } from '@wms/shared/tracking/tags'
import { epochMetrics, METRIC_NAMES } from '@wms/shared/tracking/metrics'
import { nullSink, type EventSink } from '../events/event-sink.js'
import { openWorkspaceTracking } from '../registry/open-workspace-tracking.js'
import { collectRunTags, runNameFor } from '../tracking/provenance.js'
import { startRun, type RunLogger } from '../tracking/run-logger.js'
import type { BackendChoice } from '../train/backend/select-backend.js'
import { METADATA_FILE, MODEL_FILE, MODEL_FORMAT, WEIGHTS_FILE } from '../train/model/model-files.js'
import { trainModel, type EpochRecord, type TrainResult } from '../train/train-model.js'
import { assertUsableTestSplit, resolveQaReport, type QaReportSource } from './run-inputs.js'

export type { QaReportSource } from './run-inputs.js'

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
  /** The QA report recorded with the run (default: QA of the training dataset, made before training). */
  qaReport?: QaReportSource
  events?: EventSink
  signal?: AbortSignal
  /** MLflow's variables (`MLFLOW_TRACKING_URI`, `MLFLOW_EXPERIMENT_NAME`, credentials, S3 settings). */
  env?: NodeJS.ProcessEnv
  /** What a relative `MLFLOW_TRACKING_URI` is relative to (default: the workspace root). */
  cwd?: string
}

/** A finished training run and the MLflow run that records it. */
export interface TrackedTraining {
  result: TrainResult
  /** The MLflow run id (what `gate --run` and `promote --run` take), or null when not recorded. */
  runId: string | null
  experiment: string | null
}

/**
 * Trains and records the run in MLflow as it goes: the full config as params (and as `config/training.json`, the
 * first artifact — written before training, so an artifact store this machine cannot write to fails in seconds),
 * the QA report, every epoch's losses and scores live (so the app can draw curves during training), provenance
 * tags, then the model files with their `MLmodel`, their metadata and the final test scores.
 *
 * Whatever fails once the MLflow run exists — training, an upload, Ctrl-C — the run is ended FAILED or KILLED,
 * never left RUNNING and never FINISHED, so the gate cannot pick it up.
 */
export async function trainAndTrack(options: TrainAndTrackOptions): Promise<TrackedTraining> {
  const config = options.workspaceConfig
  const tracked = config !== null && options.track !== false
  // The gate scores a recorded run on the test split: a run without one could never be judged, so it is refused
  // before the run is created. (Untracked training — a bare `--data` folder, `--no-track` — has no gate to feed.)
  if (tracked) await assertUsableTestSplit(options.datasetRoot, options.training.split)
  // The QA report is ready (or refused: an unreadable --qa-report file) before the run exists.
  const report = tracked
    ? await resolveQaReport(options.qaReport ?? 'dataset', {
        datasetRoot: options.datasetRoot,
        policy: config.qa,
        events: options.events ?? nullSink,
        ...(options.env === undefined ? {} : { env: options.env }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      })
    : undefined
  const logger = tracked ? await startTrackedRun(options, config, report) : undefined
  try {
    const result = await train(options, logger)
    if (logger !== undefined) await recordResult(logger, result, options.signal)
    return { result, runId: logger?.runId ?? null, experiment: logger?.experiment ?? null }
  } catch (thrown) {
    await logger?.finish(cancelled(thrown, options.signal) ? 'KILLED' : 'FAILED').catch(() => undefined)
    throw thrown
  }
}

/** Opens the workspace's MLflow, creates the run and writes what is known before training. */
async function startTrackedRun(
  options: TrainAndTrackOptions,
  workspaceConfig: WorkspaceConfig,
  report: QaReport | undefined,
): Promise<RunLogger & { experiment: string }> {
  const events = options.events ?? nullSink
  const { config, store } = await openWorkspaceTracking(options.workspaceRoot, {
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  })
  const tags = await collectRunTags({
    workspaceRoot: options.workspaceRoot,
    config: workspaceConfig,
    backend: options.backend.name,
    ...(options.env === undefined ? {} : { env: options.env }),
  })
  const experiment = config.tracking.experiment
  const logger = await startRun(store, { experiment, runName: runNameFor(tags), tags, events })
  try {
    await logger.logParams(options.training)
    await logger.logText(ARTIFACT_PATHS.trainingConfig, `${JSON.stringify(options.training, null, 2)}\n`)
    await store.checkArtifactVisible(logger.runId, ARTIFACT_PATHS.trainingConfig)
    if (report !== undefined) await logger.logQaReport(report)
    throwIfStopped(options.signal)
  } catch (thrown) {
    await logger.finish(cancelled(thrown, options.signal) ? 'KILLED' : 'FAILED').catch(() => undefined)
    throw thrown
  }
  events.emit({ type: 'log', level: 'info', message: `Recording MLflow run ${logger.runId} in ${experiment}` })
  return Object.assign(logger, { experiment })
}

async function train(options: TrainAndTrackOptions, logger: RunLogger | undefined): Promise<TrainResult> {
  const record = async (epoch: EpochRecord): Promise<void> => {
    const metrics = {
      ...epochMetrics(epoch),
      [METRIC_NAMES.learningRate]: epoch.learningRate,
      [METRIC_NAMES.epochSeconds]: epoch.seconds,
    }
    await logger?.logMetrics(metrics, epoch.epoch)
  }
  return trainModel({
    datasetRoot: options.datasetRoot,
    config: options.training,
    outDir: options.outDir,
    backend: options.backend,
    events: options.events ?? nullSink,
    onEpochEnd: record,
    ...(options.resume === undefined ? {} : { resume: options.resume }),
    ...(options.dataVersion === undefined ? {} : { dataVersion: options.dataVersion }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  })
}

/** Uploads what training produced; a stop request between uploads ends the run KILLED. */
async function recordResult(logger: RunLogger, result: TrainResult, signal: AbortSignal | undefined): Promise<void> {
  const { counts } = result
  await logger.setTags({
    [RUN_TAGS.pairsTrain]: String(counts.train),
    [RUN_TAGS.pairsVal]: String(counts.val),
    [RUN_TAGS.pairsTest]: String(counts.test),
    [RUN_TAGS.pairsTotal]: String(counts.train + counts.val + counts.test),
    [RUN_TAGS.backend]: result.backend.name,
  })
  throwIfStopped(signal)
  await logger.logModel(result.modelDir, {
    inputSize: result.metadata.input.size,
    generatedBy: result.metadata.generatedBy,
    format: MODEL_FORMAT,
    files: { model: MODEL_FILE, weights: WEIGHTS_FILE, metadata: METADATA_FILE },
    threshold: result.metadata.threshold,
  })
  throwIfStopped(signal)
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
  throwIfStopped(signal)
  await logger.finish('FINISHED')
}

function throwIfStopped(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw new WmsError('cancelled', 'Stopped before the run was fully recorded; the MLflow run is marked KILLED.', {
      hint: 'Run the training again to record a complete run.',
    })
  }
}

function cancelled(thrown: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (thrown instanceof WmsError && thrown.code === 'cancelled')
}
