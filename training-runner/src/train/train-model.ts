import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import { TrainingConfigSchema, type TrainingConfig } from '@wms/shared/config/training-config'
import type { z } from 'zod'
import { nullSink, type EventSink } from '../events/event-sink.js'
import { md5Bytes } from '../fs/hash-file.js'
import { selectBackend, type BackendChoice } from './backend/select-backend.js'
import { PairCache } from './data/batches.js'
import { loadDatasetSplit } from './dataset-samples.js'
import type { EvaluationScores } from './evaluate-samples.js'
import type { EpochRecord } from './loop/checkpoint.js'
import { runEpochs } from './loop/run-epochs.js'
import type { ModelMetadata } from './model/metadata.js'
import { createUnet, DEFAULT_UNET, type UnetConfig } from './model/unet.js'
import { Adam } from './ops/adam.js'
import { assertPassFits, planTraining } from './parallel/training-step.js'

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

  // Config-only, so before the data is read: a pass that cannot fit the wasm heap is refused at once.
  assertPassFits(config, backend)

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
  // Settings that do not change what is learnt (epochs, backend, time budget, workers) may differ on resume.
  const fingerprint = md5Bytes(
    JSON.stringify({ ...config, epochs: 0, backend: 0, maxSeconds: 0, workers: 0, data: data.contentHash, unet }),
  )
  const cache = new PairCache(data.root, config.imageSize, options.cacheBytes)
  const model = createUnet(unet, { seed: config.seed })
  const adam = new Adam(model.trainable, { learningRate: config.learningRate, weightDecay: config.weightDecay })
  let plan: Awaited<ReturnType<typeof planTraining>> | undefined
  try {
    plan = await planTraining({ config, backend, unet, model, adam, events })
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
      trainStep: plan.trainStep,
    })
  } catch (thrown) {
    throw mapTrainingError(thrown, config)
  } finally {
    await plan?.close()
    adam.dispose()
    model.dispose()
  }
}

/** Turns the wasm heap's failure modes into a clear `training/out-of-memory`. */
function mapTrainingError(thrown: unknown, config: TrainingConfig): unknown {
  if (thrown instanceof WmsError) return thrown
  const message = thrown instanceof Error ? thrown.message : String(thrown)
  if (/memory access out of bounds|out of memory|Cannot enlarge memory|Aborted\(/i.test(message)) {
    return new WmsError(
      'training/out-of-memory',
      `Training ran out of memory at batch ${String(config.batchSize)}, ${String(config.imageSize)}×${String(config.imageSize)}: ${message}`,
      { hint: 'Set microBatchSize (e.g. 1), or lower batchSize or imageSize in the training config.', cause: thrown },
    )
  }
  return thrown
}
