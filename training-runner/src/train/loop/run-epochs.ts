import { WmsError } from '@wms/shared/errors'
import { formatScore } from '@wms/shared/gate/format-numbers'
import type { TrainingConfig } from '@wms/shared/config/training-config'
import { epochMetrics } from '@wms/shared/tracking/metrics'
import type { EventSink } from '../../events/event-sink.js'
import { RUNNER_VERSION } from '../../version.js'
import type { BackendChoice } from '../backend/select-backend.js'
import { batches, type PairCache } from '../data/batches.js'
import type { DatasetSplit } from '../dataset-samples.js'
import { evaluateSamples, type EvaluationScores } from '../evaluate-samples.js'
import { assignModelValues, readModelValues, saveModel } from '../model/model-files.js'
import type { Unet, UnetConfig } from '../model/unet.js'
import type { Adam } from '../ops/adam.js'
import { buildMetadata } from '../train-metadata.js'
import type { PipelineStats, TrainModelOptions, TrainResult } from '../train-model.js'
import { readCheckpoint, removeCheckpoint, saveCheckpoint, type EpochRecord } from './checkpoint.js'
import {
  initialEarlyStopping,
  initialPlateau,
  stepEarlyStopping,
  stepPlateau,
  type EarlyStoppingState,
  type PlateauState,
} from './schedule.js'
import type { TrainStep } from './train-step.js'

/**
 * The epoch loop of {@link trainModel}, as named steps:
 *
 * 1. {@link resumeOrStart}: the loop's state, from a matching checkpoint or fresh;
 * 2. per epoch, {@link trainEpoch} (the training steps over the shuffled batches; the only place that waits on
 *    the input pipeline and checks for cancellation between steps), then {@link closeEpoch} (validate, advance
 *    the schedule and early stopping, checkpoint, report);
 * 3. {@link finishTraining}: the best epoch's weights, the final scores, the exported model.
 *
 * A step that stops the run throws; the checkpoint of the last closed epoch stays, so the same run resumes there.
 */

/** What the loop trains with: settings, data, and the model and optimiser it changes in place. */
export interface RunContext {
  options: TrainModelOptions
  config: TrainingConfig
  events: EventSink
  backend: BackendChoice
  unet: UnetConfig
  data: DatasetSplit
  counts: TrainResult['counts']
  checkpointDir: string
  /** Hash of the settings and data a checkpoint must match to be resumed. */
  fingerprint: string
  cache: PairCache
  model: Unet
  adam: Adam
  /** `performance.now()` when the run began. */
  started: number
  /** The training step: in-process, or across worker threads (`parallel/`). */
  trainStep: TrainStep
}

/** Where the loop stands: what a checkpoint saves, plus whether to stop. */
interface LoopState {
  plateau: PlateauState
  early: EarlyStoppingState
  history: EpochRecord[]
  /** The best epoch's weights so far (the lowest monitored loss). */
  best: Map<string, Float32Array>
  firstEpoch: number
  stoppedEarly: boolean
  /** Why the run stopped before `epochs`, for the log. */
  stopReason?: 'patience' | 'budget'
}

/** What one epoch's training steps measured. */
interface EpochTotals {
  lossSum: number
  seen: number
  dice: number[]
  iou: number[]
  /** The wall-clock budget (`maxSeconds`) ran out during this epoch. */
  budgetSpent: boolean
}

/** Runs the epochs, then exports the best one. */
export async function runEpochs(ctx: RunContext): Promise<TrainResult> {
  const state = await resumeOrStart(ctx)
  const stats: PipelineStats = { stepSeconds: 0, waitSeconds: 0, idleShare: 0, cacheHits: 0, cacheMisses: 0 }
  for (let epoch = state.firstEpoch; epoch <= ctx.config.epochs && !state.stoppedEarly; epoch += 1) {
    const epochStart = performance.now()
    const totals = await trainEpoch(ctx, epoch, state, stats)
    await throwIfCancelled(ctx.options.signal)
    await closeEpoch(ctx, state, epoch, totals, epochStart)
  }
  return finishTraining(ctx, state, stats)
}

/** The loop's state from a checkpoint made with the same settings and data, else a fresh start. */
async function resumeOrStart(ctx: RunContext): Promise<LoopState> {
  const restored = ctx.options.resume === false ? undefined : await restoreCheckpoint(ctx)
  const state = restored ?? {
    plateau: initialPlateau(ctx.config.learningRate),
    early: initialEarlyStopping(),
    history: [],
    best: readModelValues(ctx.model),
    firstEpoch: 1,
  }
  // A run that had already stopped early stays stopped: resuming it only exports the model.
  return { ...state, stoppedEarly: state.early.epochsWithoutImprovement >= ctx.config.earlyStoppingPatience }
}

/** Loads a matching checkpoint into the model and optimiser; says why one that does not match is ignored. */
async function restoreCheckpoint(ctx: RunContext): Promise<Omit<LoopState, 'stoppedEarly'> | undefined> {
  const { events } = ctx
  const checkpoint = await readCheckpoint(ctx.checkpointDir)
  if (checkpoint === undefined) return undefined
  if (checkpoint.state.fingerprint !== ctx.fingerprint) {
    events.emit({
      type: 'log',
      level: 'warn',
      message: 'Ignoring the checkpoint: it was made with other settings or other data.',
    })
    return undefined
  }
  assignModelValues(ctx.model, checkpoint.weights)
  ctx.adam.load(checkpoint.adam)
  events.emit({ type: 'log', level: 'info', message: `Resuming after epoch ${String(checkpoint.state.epoch)}.` })
  const { plateau, early, history, epoch } = checkpoint.state
  return { plateau, early, history, best: checkpoint.best, firstEpoch: epoch + 1 }
}

/** One pass of training steps over the training split, with progress after each step. */
async function trainEpoch(
  ctx: RunContext,
  epoch: number,
  state: LoopState,
  stats: PipelineStats,
): Promise<EpochTotals> {
  const { config, options, events, adam } = ctx
  const stepsPerEpoch = Math.ceil(ctx.counts.train / config.batchSize)
  const warmupSteps = Math.round(config.warmupEpochs * stepsPerEpoch)
  const epochStart = performance.now()
  const totals: EpochTotals = { lossSum: 0, seen: 0, dice: [], iou: [], budgetSpent: false }
  let step = 0
  const stream = batches(ctx.data.splits.train, ctx.cache, {
    batchSize: config.batchSize,
    shuffleSeed: config.seed,
    epoch,
    augment: config.augment,
    prefetch: options.prefetch ?? 2,
  })
  let waitStart = performance.now()
  for await (const batch of stream) {
    const waited = (performance.now() - waitStart) / 1000
    await throwIfCancelled(options.signal)
    const stepStart = performance.now()
    adam.learningRate = warmedUp(state.plateau.learningRate, adam.step, warmupSteps)
    const result = await ctx.trainStep(batch)
    // The first batch of a run includes decoding from scratch; count only waits between steps as idle.
    if (step > 0 || epoch > state.firstEpoch) stats.waitSeconds += waited
    stats.stepSeconds += (performance.now() - stepStart) / 1000
    assertFiniteLoss(result.loss, epoch)
    totals.lossSum += result.loss * batch.count
    totals.seen += batch.count
    totals.dice.push(...result.dice)
    totals.iou.push(...result.iou)
    step += 1
    const elapsed = (performance.now() - epochStart) / 1000
    events.emit({
      type: 'progress',
      step: 'train',
      done: step,
      total: stepsPerEpoch,
      unit: 'steps',
      etaSeconds: (elapsed / step) * (stepsPerEpoch - step),
      message: `epoch ${String(epoch)}/${String(config.epochs)}  loss ${formatScore(totals.lossSum / totals.seen)}  dice ${formatScore(mean(totals.dice))}`,
    })
    if (config.maxSeconds !== null && (performance.now() - ctx.started) / 1000 >= config.maxSeconds) {
      // Leaving the loop ends the batch stream (its generator's finally stops the prefetch).
      totals.budgetSpent = true
      break
    }
    waitStart = performance.now()
  }
  return totals
}

/**
 * The learning rate of the step after `step` finished steps: a linear warm-up over `warmupSteps` steps to the
 * schedule's rate (Adam's first updates on a fresh model are its largest; a higher peak rate needs the ramp).
 */
export function warmedUp(rate: number, step: number, warmupSteps: number): number {
  return warmupSteps <= 0 ? rate : rate * Math.min(1, (step + 1) / warmupSteps)
}

/**
 * Between two training steps: a cancelled run stops here, keeping the last epoch's checkpoint. It first lets
 * pending signals in: a warm input pipeline never yields to the event loop, so without this a Ctrl-C was only seen
 * at the epoch's checkpoint I/O — and never in the last epoch. One `setImmediate` per step costs microseconds.
 */
async function throwIfCancelled(signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return
  await new Promise((resolve) => setImmediate(resolve))
  if (!signal.aborted) return
  throw new WmsError('cancelled', 'Training was stopped.', {
    hint: 'Run the same training again to resume after the last finished epoch (its checkpoint is kept).',
  })
}

function assertFiniteLoss(loss: number, epoch: number): void {
  if (Number.isFinite(loss)) return
  throw new WmsError('training/failed', `The training loss became ${String(loss)} at epoch ${String(epoch)}.`, {
    hint: 'Lower the learning rate, or check the masks (QA).',
  })
}

/** Validates the epoch, advances the schedule and early stopping, writes the checkpoint, then reports the epoch. */
async function closeEpoch(
  ctx: RunContext,
  state: LoopState,
  epoch: number,
  totals: EpochTotals,
  epochStart: number,
): Promise<void> {
  const { config, adam } = ctx
  const val =
    ctx.counts.val > 0
      ? await evaluateSamples(ctx.model, ctx.data.splits.val, ctx.cache, {
          batchSize: config.batchSize,
          threshold: config.threshold,
        })
      : null
  const trainLoss = totals.lossSum / Math.max(1, totals.seen)
  const record: EpochRecord = {
    epoch,
    trainLoss,
    trainDice: mean(totals.dice),
    trainIou: mean(totals.iou),
    valLoss: val?.loss ?? null,
    valDice: val?.aggregate.dice ?? null,
    valIou: val?.aggregate.iou ?? null,
    learningRate: adam.learningRate,
    seconds: (performance.now() - epochStart) / 1000,
  }
  state.history.push(record)
  advanceSchedule(ctx, state, epoch, monitoredValue(ctx.config, val, trainLoss))
  if (totals.budgetSpent && !state.stoppedEarly) {
    state.stoppedEarly = true
    state.stopReason = 'budget'
  }
  await saveCheckpoint(
    ctx.checkpointDir,
    {
      fingerprint: ctx.fingerprint,
      epoch,
      unet: ctx.unet,
      plateau: state.plateau,
      early: state.early,
      adamStep: adam.step,
      history: state.history,
    },
    readModelValues(ctx.model),
    adam.state(),
    state.best,
  )
  await reportEpoch(ctx, state, record, val !== null)
}

/**
 * The value early stopping, the best checkpoint and the plateau watch, lower is better: 1 − validation Dice
 * (`monitor: val-dice`, the gate's metric), the validation loss (`val-loss`), or without a validation split the
 * training loss.
 */
export function monitoredValue(config: TrainingConfig, val: EvaluationScores | null, trainLoss: number): number {
  if (val === null) return trainLoss
  return config.monitor === 'val-dice' ? 1 - val.aggregate.dice : val.loss
}

/** Early stopping and the learning-rate plateau on the monitored value. */
function advanceSchedule(ctx: RunContext, state: LoopState, epoch: number, monitored: number): void {
  const { config } = ctx
  const verdict = stepEarlyStopping(state.early, epoch, monitored, config.earlyStoppingPatience)
  state.early = verdict.state
  state.stoppedEarly = verdict.stop
  if (verdict.stop) state.stopReason = 'patience'
  if (verdict.improved) state.best = readModelValues(ctx.model)
  state.plateau = stepPlateau(state.plateau, monitored, {
    factor: config.schedulerFactor,
    patience: config.schedulerPatience,
    minLearningRate: config.minLearningRate,
  })
}

/** The `epoch-end` event, the caller's hook (tracking), and a note when early stopping ends the run. */
async function reportEpoch(ctx: RunContext, state: LoopState, record: EpochRecord, validated: boolean): Promise<void> {
  const { config, events } = ctx
  events.emit({
    type: 'epoch-end',
    epoch: record.epoch,
    epochs: config.epochs,
    metrics: epochMetrics(record),
    learningRate: record.learningRate,
    seconds: record.seconds,
  })
  await ctx.options.onEpochEnd?.(record)
  if (!state.stoppedEarly) return
  const watched = !validated ? 'training loss' : config.monitor === 'val-dice' ? 'validation Dice' : 'validation loss'
  events.emit({
    type: 'log',
    level: 'info',
    message:
      state.stopReason === 'budget'
        ? `Time budget of ${String(config.maxSeconds)} s spent after epoch ${String(record.epoch)} (best epoch ${String(state.early.bestEpoch)} by ${watched}).`
        : `Early stopping: no better ${watched} for ${String(config.earlyStoppingPatience)} epochs (best epoch ${String(state.early.bestEpoch)}).`,
  })
}

/** The best epoch's weights become the model: scored on val and test, exported with its metadata. */
async function finishTraining(ctx: RunContext, state: LoopState, stats: PipelineStats): Promise<TrainResult> {
  const { config, options, model, cache, data } = ctx
  await throwIfCancelled(options.signal)
  assignModelValues(model, state.best)
  const evalOptions = { batchSize: config.batchSize, threshold: config.threshold, hausdorff: true }
  const score = async (split: 'val' | 'test'): Promise<EvaluationScores | null> =>
    ctx.counts[split] > 0 ? evaluateSamples(model, data.splits[split], cache, evalOptions) : null
  const valMetrics = await score('val')
  const testMetrics = await score('test')
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
    bestEpoch: state.early.bestEpoch,
    epochsRun: state.history.length,
    val: valMetrics,
    test: testMetrics,
  })
  await throwIfCancelled(options.signal)
  await saveModel(options.outDir, ctx.unet, readModelValues(model), metadata, `training-runner ${RUNNER_VERSION}`)
  if (options.keepCheckpoint !== true) await removeCheckpoint(ctx.checkpointDir)
  return {
    modelDir: options.outDir,
    metadata,
    testMetrics,
    valMetrics,
    bestEpoch: state.early.bestEpoch,
    epochsRun: state.history.length,
    stoppedEarly: state.stoppedEarly,
    backend: ctx.backend,
    counts: ctx.counts,
    history: state.history,
    seconds: (performance.now() - ctx.started) / 1000,
    pipeline: stats,
  }
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length
}
