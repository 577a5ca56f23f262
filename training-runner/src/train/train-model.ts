import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import { TrainingConfigSchema, type TrainingConfig } from '@wms/shared/config/training-config'
import type { z } from 'zod'
import { nullSink, type EventSink } from '../events/event-sink.js'
import { md5Bytes } from '../fs/hash-file.js'
import { RUNNER_VERSION } from '../version.js'
import { selectBackend, type BackendChoice } from './backend/select-backend.js'
import { batches, PairCache } from './data/batches.js'
import { loadDatasetSplit, type DatasetSplit } from './dataset-samples.js'
import { evaluateSamples, type EvaluationScores } from './evaluate-samples.js'
import { readCheckpoint, removeCheckpoint, saveCheckpoint, type EpochRecord } from './loop/checkpoint.js'
import { assertTrainingFits } from './loop/memory-guard.js'
import { initialEarlyStopping, initialPlateau, stepEarlyStopping, stepPlateau } from './loop/schedule.js'
import { createTrainStep } from './loop/train-step.js'
import type { ModelMetadata } from './model/metadata.js'
import { assignModelValues, readModelValues, saveModel } from './model/model-files.js'
import { createUnet, DEFAULT_UNET, type Unet, type UnetConfig } from './model/unet.js'
import { Adam } from './ops/adam.js'
import { buildMetadata } from './train-metadata.js'

export type { EpochRecord } from './loop/checkpoint.js'

/** What {@link trainModel} needs. */
export interface TrainModelOptions {
  /** Folder with `images/` and `masks/`. */
  datasetRoot: string
  /** Training settings (defaults applied); usually the workspace config's `training`. */
  config?: z.input<typeof TrainingConfigSchema>
  /** Where the exported model goes (created; model.json, weights.bin, metadata.json). */
  outDir: string
  /** Resumable checkpoint folder (default `<outDir>/checkpoint`, removed after success unless `keepCheckpoint`). */
  checkpointDir?: string
  keepCheckpoint?: boolean
  /** Resume from a matching checkpoint when there is one (default true). */
  resume?: boolean
  /** A dataset version to record (e.g. the DVC directory hash). */
  dataVersion?: string | null
  events?: EventSink
  /** Called after every epoch (tracking hooks: MLflow, the app). */
  onEpochEnd?: (record: EpochRecord) => void | Promise<void>
  signal?: AbortSignal
  /** An already-selected backend (the CLI and the app select at their entry point); else `config.backend`. */
  backend?: BackendChoice
  /** Batches prepared ahead of the trainer (default 2). */
  prefetch?: number
  /** Cap of the decoded-pair cache in bytes (default 1 GiB). */
  cacheBytes?: number
}

/** Where the trainer's time went (the input pipeline's share shows whether it keeps the trainer fed). */
export interface PipelineStats {
  stepSeconds: number
  waitSeconds: number
  /** waitSeconds / (waitSeconds + stepSeconds). */
  idleShare: number
  cacheHits: number
  cacheMisses: number
}

/** What a finished training run returns. */
export interface TrainResult {
  modelDir: string
  metadata: ModelMetadata
  /** Best-epoch model on the test split (null when the split is empty). */
  testMetrics: EvaluationScores | null
  valMetrics: EvaluationScores | null
  bestEpoch: number
  epochsRun: number
  stoppedEarly: boolean
  backend: BackendChoice
  counts: { train: number; val: number; test: number }
  history: EpochRecord[]
  seconds: number
  pipeline: PipelineStats
}

/** Trains the U-Net on a dataset folder and exports the best epoch's model. */
export async function trainModel(options: TrainModelOptions): Promise<TrainResult> {
  const started = performance.now()
  const config = TrainingConfigSchema.parse(options.config ?? {})
  const events = options.events ?? nullSink
  const backend = options.backend ?? (await selectBackend(config.backend, { events }))
  const unet: UnetConfig = { ...DEFAULT_UNET, baseFilters: config.baseFilters }
  if (config.imageSize % 2 ** unet.depth !== 0) {
    throw new WmsError('usage/invalid-arguments', `imageSize ${String(config.imageSize)} is not a multiple of 16.`, {
      hint: 'The U-Net halves the image four times; use 64, 128, 256, …',
    })
  }
  assertTrainingFits(backend.name, config.batchSize, config.imageSize, config.baseFilters)

  const data = await loadDatasetSplit(options.datasetRoot, config.split)
  const counts = { train: data.splits.train.length, val: data.splits.val.length, test: data.splits.test.length }
  if (counts.train === 0) {
    throw new WmsError('training/failed', `The training split is empty (${JSON.stringify(counts)}).`, {
      hint: 'Add more pairs: the split is decided by each image’s content hash.',
    })
  }
  events.emit({
    type: 'log',
    level: 'info',
    message: `Data: ${String(counts.train)} train, ${String(counts.val)} val, ${String(counts.test)} test pairs (split by content hash ${String(config.split.train)}/${String(config.split.val)}/${String(config.split.test)})${data.skipped > 0 ? `; ${String(data.skipped)} unpaired files left out` : ''}.`,
  })
  if (counts.val === 0) {
    events.emit({
      type: 'log',
      level: 'warn',
      message: 'The validation split is empty: the schedule, early stopping and best epoch follow the training loss.',
    })
  }

  const checkpointDir = options.checkpointDir ?? path.join(options.outDir, 'checkpoint')
  const fingerprint = md5Bytes(JSON.stringify({ ...config, epochs: 0, backend: 0, data: data.contentHash, unet }))
  const cache = new PairCache(data.root, config.imageSize, options.cacheBytes)
  const model = createUnet(unet, { seed: config.seed })
  const adam = new Adam(model.trainable, { learningRate: config.learningRate, weightDecay: config.weightDecay })
  try {
    return await runEpochs({
      options,
      config,
      events,
      backend,
      unet,
      data,
      counts,
      checkpointDir,
      fingerprint,
      cache,
      model,
      adam,
      started,
    })
  } catch (thrown) {
    throw mapTrainingError(thrown, config)
  } finally {
    adam.dispose()
    model.dispose()
  }
}

interface RunContext {
  options: TrainModelOptions
  config: TrainingConfig
  events: EventSink
  backend: BackendChoice
  unet: UnetConfig
  data: DatasetSplit
  counts: TrainResult['counts']
  checkpointDir: string
  fingerprint: string
  cache: PairCache
  model: Unet
  adam: Adam
  started: number
}

/**
 * The step boundary: lets pending signals in (a warm input pipeline never yields to the event loop otherwise, so a
 * Ctrl-C would wait for the epoch's checkpoint I/O), then stops if asked. One `setImmediate` per step costs
 * microseconds.
 */
async function stopIfAsked(signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return
  await new Promise((resolve) => setImmediate(resolve))
  if (signal.aborted) {
    throw new WmsError('cancelled', 'Training was stopped.', {
      hint: 'Run the same training again to resume after the last finished epoch (its checkpoint is kept).',
    })
  }
}

async function runEpochs(ctx: RunContext): Promise<TrainResult> {
  const { options, config, events, model, adam, cache, data } = ctx
  let plateau = initialPlateau(config.learningRate)
  let early = initialEarlyStopping()
  let history: EpochRecord[] = []
  let best = readModelValues(model)
  let firstEpoch = 1

  if (options.resume !== false) {
    const checkpoint = await readCheckpoint(ctx.checkpointDir)
    if (checkpoint !== undefined && checkpoint.state.fingerprint === ctx.fingerprint) {
      assignModelValues(model, checkpoint.weights)
      adam.load(checkpoint.adam)
      plateau = checkpoint.state.plateau
      early = checkpoint.state.early
      history = checkpoint.state.history
      best = checkpoint.best
      firstEpoch = checkpoint.state.epoch + 1
      events.emit({ type: 'log', level: 'info', message: `Resuming after epoch ${String(checkpoint.state.epoch)}.` })
    } else if (checkpoint !== undefined) {
      events.emit({
        type: 'log',
        level: 'warn',
        message: 'Ignoring the checkpoint: it was made with other settings or other data.',
      })
    }
  }

  const stepsPerEpoch = Math.ceil(ctx.counts.train / config.batchSize)
  const stats: PipelineStats = { stepSeconds: 0, waitSeconds: 0, idleShare: 0, cacheHits: 0, cacheMisses: 0 }
  let stoppedEarly = early.epochsWithoutImprovement >= config.earlyStoppingPatience
  let epoch = firstEpoch

  const trainStep = createTrainStep(model, adam, config.threshold)

  for (; epoch <= config.epochs && !stoppedEarly; epoch += 1) {
    const epochStart = performance.now()
    adam.learningRate = plateau.learningRate
    let lossSum = 0
    let seen = 0
    const dice: number[] = []
    const iou: number[] = []
    let step = 0
    const stream = batches(data.splits.train, cache, {
      batchSize: config.batchSize,
      shuffleSeed: config.seed,
      epoch,
      augment: config.augment,
      prefetch: options.prefetch ?? 2,
    })
    let waitStart = performance.now()
    for await (const batch of stream) {
      const waited = (performance.now() - waitStart) / 1000
      await stopIfAsked(options.signal)
      const stepStart = performance.now()
      const result = trainStep(batch)
      const stepSeconds = (performance.now() - stepStart) / 1000
      // The first batch of a run includes decoding from scratch; count only waits between steps as idle.
      if (step > 0 || epoch > firstEpoch) stats.waitSeconds += waited
      stats.stepSeconds += stepSeconds
      if (!Number.isFinite(result.loss)) {
        throw new WmsError(
          'training/failed',
          `The training loss became ${String(result.loss)} at epoch ${String(epoch)}.`,
          {
            hint: 'Lower the learning rate, or check the masks (QA).',
          },
        )
      }
      lossSum += result.loss * batch.count
      seen += batch.count
      dice.push(...result.dice)
      iou.push(...result.iou)
      step += 1
      const elapsed = (performance.now() - epochStart) / 1000
      events.emit({
        type: 'progress',
        step: 'train',
        done: step,
        total: stepsPerEpoch,
        unit: 'steps',
        etaSeconds: (elapsed / step) * (stepsPerEpoch - step),
        message: `epoch ${String(epoch)}/${String(config.epochs)}  loss ${(lossSum / seen).toFixed(4)}  dice ${mean(dice).toFixed(3)}`,
      })
      waitStart = performance.now()
    }

    await stopIfAsked(options.signal)
    const val =
      ctx.counts.val > 0
        ? await evaluateSamples(model, data.splits.val, cache, {
            batchSize: config.batchSize,
            threshold: config.threshold,
          })
        : null
    const trainLoss = lossSum / Math.max(1, seen)
    const monitored = val?.loss ?? trainLoss
    const record: EpochRecord = {
      epoch,
      trainLoss,
      trainDice: mean(dice),
      trainIou: mean(iou),
      valLoss: val?.loss ?? null,
      valDice: val?.aggregate.dice ?? null,
      valIou: val?.aggregate.iou ?? null,
      learningRate: adam.learningRate,
      seconds: (performance.now() - epochStart) / 1000,
    }
    history.push(record)
    const verdict = stepEarlyStopping(early, epoch, monitored, config.earlyStoppingPatience)
    early = verdict.state
    stoppedEarly = verdict.stop
    if (verdict.improved) best = readModelValues(model)
    plateau = stepPlateau(plateau, monitored, {
      factor: config.schedulerFactor,
      patience: config.schedulerPatience,
      minLearningRate: config.minLearningRate,
    })
    await saveCheckpoint(
      ctx.checkpointDir,
      { fingerprint: ctx.fingerprint, epoch, unet: ctx.unet, plateau, early, adamStep: adam.step, history },
      readModelValues(model),
      adam.state(),
      best,
    )
    const metrics: Record<string, number> = {
      train_loss: record.trainLoss,
      train_dice: record.trainDice,
      train_iou: record.trainIou,
    }
    if (val !== null)
      Object.assign(metrics, { val_loss: val.loss, val_dice: val.aggregate.dice, val_iou: val.aggregate.iou })
    events.emit({
      type: 'epoch-end',
      epoch,
      epochs: config.epochs,
      metrics,
      learningRate: record.learningRate,
      seconds: record.seconds,
    })
    await options.onEpochEnd?.(record)
    if (stoppedEarly) {
      events.emit({
        type: 'log',
        level: 'info',
        message: `Early stopping: no better ${val === null ? 'training' : 'validation'} loss for ${String(config.earlyStoppingPatience)} epochs (best epoch ${String(early.bestEpoch)}).`,
      })
    }
  }

  await stopIfAsked(options.signal)
  // The best epoch's weights (lowest monitored loss) are the model.
  assignModelValues(model, best)
  const evalOptions = { batchSize: config.batchSize, threshold: config.threshold, hausdorff: true }
  const valMetrics = ctx.counts.val > 0 ? await evaluateSamples(model, data.splits.val, cache, evalOptions) : null
  const testMetrics = ctx.counts.test > 0 ? await evaluateSamples(model, data.splits.test, cache, evalOptions) : null
  stats.idleShare = stats.waitSeconds / Math.max(1e-9, stats.waitSeconds + stats.stepSeconds)
  stats.cacheHits = cache.hits
  stats.cacheMisses = cache.misses

  const metadata = buildMetadata({
    config,
    unet: ctx.unet,
    backend: ctx.backend,
    counts: ctx.counts,
    contentHash: data.contentHash,
    dataVersion: options.dataVersion ?? null,
    bestEpoch: early.bestEpoch,
    epochsRun: history.length,
    val: valMetrics,
    test: testMetrics,
  })
  await stopIfAsked(options.signal)
  await saveModel(options.outDir, ctx.unet, readModelValues(model), metadata, `training-runner ${RUNNER_VERSION}`)
  if (options.keepCheckpoint !== true) await removeCheckpoint(ctx.checkpointDir)
  return {
    modelDir: options.outDir,
    metadata,
    testMetrics,
    valMetrics,
    bestEpoch: early.bestEpoch,
    epochsRun: history.length,
    stoppedEarly,
    backend: ctx.backend,
    counts: ctx.counts,
    history,
    seconds: (performance.now() - ctx.started) / 1000,
    pipeline: stats,
  }
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length
}

/** Turns the wasm heap's failure modes into a clear `training/out-of-memory`. */
function mapTrainingError(thrown: unknown, config: TrainingConfig): unknown {
  if (thrown instanceof WmsError) return thrown
  const message = thrown instanceof Error ? thrown.message : String(thrown)
  if (/memory access out of bounds|out of memory|Cannot enlarge memory|Aborted\(/i.test(message)) {
    return new WmsError(
      'training/out-of-memory',
      `Training ran out of memory at batch ${String(config.batchSize)}, ${String(config.imageSize)}×${String(config.imageSize)}: ${message}`,
      { hint: 'Lower batchSize or imageSize in the training config.', cause: thrown },
    )
  }
  return thrown
}
