import os from 'node:os'
import type { TrainingConfig } from '@wms/shared/config/training-config'
import type { EventSink } from '../../events/event-sink.js'
import { wasmThreadsFrom, type BackendChoice } from '../backend/select-backend.js'
import type { GradientOptions } from '../loop/gradients.js'
import { assertTrainingFits, largestBatchThatFits } from '../loop/memory-guard.js'
import { createTrainStep, type TrainStep } from '../loop/train-step.js'
import type { Unet, UnetConfig } from '../model/unet.js'
import type { Adam } from '../ops/adam.js'
import { startDataParallel } from './data-parallel.js'

/** How a run trains: workers, micro-batch and the step function (close it when done). */
export interface TrainingPlan {
  workers: number
  /** Threads of each worker's wasm backend (1 in process: the entry point's backend is used as it is). */
  threadsPerWorker: number
  /** Images per forward/backward pass in each worker (or in process). */
  microBatchSize: number
  trainStep: TrainStep
  close(): Promise<void>
}

/** Below this input side `auto` trains in process: a step is too short to pay for the workers' start and sync. */
export const AUTO_WORKERS_MIN_SIZE = 128

/**
 * Worker threads pay off only where one backend instance uses one core: wasm. The native tfjs-node backends
 * already use every core (and a GPU is one device), so they train in process; so do small inputs under `auto`.
 */
export function workerCount(config: TrainingConfig, backend: BackendChoice, cores = os.availableParallelism()): number {
  if (backend.name !== 'wasm') return 1
  if (config.workers === 'auto' && config.imageSize < AUTO_WORKERS_MIN_SIZE) return 1
  const wanted = config.workers === 'auto' ? cores : config.workers
  return Math.max(1, Math.min(wanted, config.batchSize))
}

/**
 * Threads per data-parallel worker: `WMS_WASM_THREADS=auto` gives each worker the cores the workers leave over (a
 * host with more cores than the batch has images runs each worker's convolutions on several threads), a number
 * sets it, and unset means 1. Opt-in because the threaded build's gain has only been measured on 2 cores, where
 * it is 1 anyway; a bigger CPU host turns it on after measuring it with `bench:train --threads`.
 */
export function threadsPerWorker(
  workers: number,
  env: NodeJS.ProcessEnv = process.env,
  cores = os.availableParallelism(),
): number {
  const setting = env.WMS_WASM_THREADS
  if (setting === 'auto') return Math.max(1, Math.floor(cores / Math.max(1, workers)))
  if (setting !== undefined && setting !== '') return wasmThreadsFrom(env)
  return 1
}

/**
 * The micro-batch: the configured one, else the largest per-pass batch that fits the wasm heap (so 512² at
 * batch 4 trains by accumulating instead of running out of memory), capped at the shard size.
 */
export function microBatchFor(config: TrainingConfig, backend: BackendChoice, workers: number): number {
  const shard = Math.ceil(config.batchSize / workers)
  if (config.microBatchSize !== null) return Math.min(config.microBatchSize, shard)
  if (backend.name !== 'wasm') return shard
  return Math.max(1, Math.min(shard, largestBatchThatFits(config.imageSize, config.baseFilters)))
}

/** Throws `training/out-of-memory` when the configured passes cannot fit the wasm heap (no-op elsewhere). */
export function assertPassFits(config: TrainingConfig, backend: BackendChoice): void {
  const micro = microBatchFor(config, backend, workerCount(config, backend))
  assertTrainingFits(backend.name, micro, config.imageSize, config.baseFilters)
}

/** Chooses workers and micro-batch, checks the heap, and starts the workers (falling back to in-process). */
export async function planTraining(input: {
  config: TrainingConfig
  backend: BackendChoice
  unet: UnetConfig
  model: Unet
  adam: Adam
  events: EventSink
}): Promise<TrainingPlan> {
  const { config, backend, unet, model, adam, events } = input
  let workers = workerCount(config, backend)
  const microBatchSize = microBatchFor(config, backend, workers)
  assertTrainingFits(backend.name, microBatchSize, config.imageSize, config.baseFilters)
  const gradient: GradientOptions = {
    loss: { loss: config.loss, diceWeight: config.diceWeight, focalGamma: config.focalGamma },
    threshold: config.threshold,
    microBatchSize,
  }
  const accumulation = microBatchSize < Math.ceil(config.batchSize / workers)
  if (workers > 1) {
    const threads = threadsPerWorker(workers)
    try {
      const parallel = await startDataParallel({ workers, unet, gradient, threadsPerWorker: threads })
      events.emit({
        type: 'log',
        level: 'info',
        message: `Training on ${String(workers)} worker threads (one wasm instance each${threads > 1 ? `, ${String(threads)} threads per instance` : ''}), batch ${String(config.batchSize)} split between them${accumulation ? `, ${String(microBatchSize)} image(s) per pass` : ''}.`,
      })
      return {
        workers,
        threadsPerWorker: threads,
        microBatchSize,
        trainStep: (batch) => parallel.step(model, adam, batch),
        close: () => parallel.close(),
      }
    } catch (thrown) {
      events.emit({
        type: 'log',
        level: 'warn',
        message: `Could not start training workers (${thrown instanceof Error ? thrown.message : String(thrown)}); training in process on one core.`,
      })
      workers = 1
    }
  }
  if (accumulation) {
    events.emit({
      type: 'log',
      level: 'info',
      message: `Batch ${String(config.batchSize)} at ${String(config.imageSize)}² is accumulated over passes of ${String(microBatchSize)} image(s) (wasm heap).`,
    })
  }
  return {
    workers,
    threadsPerWorker: 1,
    microBatchSize,
    trainStep: createTrainStep(model, adam, gradient),
    close: () => Promise.resolve(),
  }
}
