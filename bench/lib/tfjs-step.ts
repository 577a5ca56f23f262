import * as tf from '@tensorflow/tfjs'
import { createPrng } from '@wms/shared/util/prng'
import {
  Adam,
  bceWithLogits,
  createTrainStep,
  createUnet,
  DEFAULT_UNET,
  largestBatchThatFits,
  startDataParallel,
  type Batch,
  type TrainStep,
} from 'training-runner'

/** Timing of the training step at one size. */
export interface StepTiming {
  size: number
  batch: number
  msPerStep: number
  samples: number[]
  /** Live tensors after each step: flat when nothing leaks. */
  tensorsAfterStep: number[]
  /** wasm heap size after the steps (MiB; the heap only grows, so this is its peak), or null off wasm. */
  wasmHeapMiB: number | null
  /** CPU milliseconds per step of the whole process, every thread (median; load barely moves it), when measured. */
  cpuMsPerStep?: number
  /** Per-kernel milliseconds of one profiled step (name → ms, calls), when asked. */
  profile?: { kernel: string; ms: number; calls: number }[]
}

/** The same step the trainer runs (forward, BCE, gradients, Adam), on random data, timed. */
export async function timeTrainingStep(options: {
  size: number
  batch: number
  steps: number
  warmup: number
  profile?: boolean
}): Promise<StepTiming> {
  const { size, batch } = options
  const model = createUnet(DEFAULT_UNET, { seed: 1 })
  const adam = new Adam(model.trainable, { learningRate: 1e-4, weightDecay: 1e-4 })
  const trainable = [...model.trainable]
  const nameOf = new Map(trainable.map(([name, v]) => [v.name, name]))
  const x = tf.randomUniform<tf.Rank.R4>([batch, size, size, 3], 0, 1, 'float32', 1)
  const y = tf.tidy(() =>
    tf.cast(tf.greater(tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 2), 0.9), 'float32'),
  )
  const step = (): void => {
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        () => bceWithLogits(model.trainForward(x), y),
        trainable.map(([, v]) => v),
      )
      const named: Record<string, tf.Tensor> = {}
      for (const [tfName, grad] of Object.entries(grads)) named[nameOf.get(tfName) ?? tfName] = grad
      adam.apply(named)
      value.dataSync()
    })
  }
  for (let i = 0; i < options.warmup; i += 1) step()
  const samples: number[] = []
  const tensorsAfterStep: number[] = []
  for (let i = 0; i < options.steps; i += 1) {
    const start = performance.now()
    step()
    samples.push(performance.now() - start)
    tensorsAfterStep.push(tf.memory().numTensors)
  }
  let profile: StepTiming['profile']
  if (options.profile === true) {
    const info = await tf.profile(step)
    const byKernel = new Map<string, { ms: number; calls: number }>()
    for (const k of info.kernels) {
      const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 }
      entry.ms += Number(k.kernelTimeMs)
      entry.calls += 1
      byKernel.set(k.name, entry)
    }
    profile = [...byKernel].map(([kernel, e]) => ({ kernel, ...e })).sort((a, b) => b.ms - a.ms)
  }
  const heap = (tf.backend() as { wasm?: { HEAPF32?: Float32Array } }).wasm?.HEAPF32?.buffer.byteLength
  tf.dispose([x, y])
  adam.dispose()
  model.dispose()
  return {
    size,
    batch,
    msPerStep: median(samples),
    samples,
    tensorsAfterStep,
    wasmHeapMiB: heap === undefined ? null : heap / 1024 ** 2,
    ...(profile === undefined ? {} : { profile }),
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/**
 * The trainer's own step (`createTrainStep` in process for 1 worker, `startDataParallel` for more) on a random
 * batch, timed: what `trainModel` runs per batch, with the old BCE loss so it matches the PyTorch reference.
 * Worker start-up is not timed (it happens once per run).
 */
export async function timeTrainerStep(options: {
  size: number
  batch: number
  steps: number
  warmup: number
  workers: number
  microBatchSize?: number | null
}): Promise<StepTiming & { workers: number; microBatchSize: number; workerHeapMiB: (number | null)[] }> {
  const { size, batch, workers } = options
  // What the trainer does by default: passes as large as fit the wasm heap (512² batch 4 accumulates).
  const microBatchSize = options.microBatchSize ?? Math.min(Math.ceil(batch / workers), largestBatchThatFits(size))
  const model = createUnet(DEFAULT_UNET, { seed: 1 })
  const adam = new Adam(model.trainable, { learningRate: 1e-4, weightDecay: 1e-4 })
  const gradient = { loss: { loss: 'bce' as const, diceWeight: 0, focalGamma: 0 }, threshold: 0.5, microBatchSize }
  const parallel = workers > 1 ? await startDataParallel({ workers, unet: DEFAULT_UNET, gradient }) : undefined
  const step: TrainStep =
    parallel === undefined ? createTrainStep(model, adam, gradient) : (b) => parallel.step(model, adam, b)
  const random = createPrng(7)
  const pixels = batch * size * size
  const trainBatch: Batch = {
    ids: Array.from({ length: batch }, (_, i) => `random-${String(i)}`),
    size,
    count: batch,
    images: Float32Array.from({ length: pixels * 3 }, () => random.next()),
    masks: Float32Array.from({ length: pixels }, () => (random.next() > 0.9 ? 1 : 0)),
  }
  try {
    for (let i = 0; i < options.warmup; i += 1) await step(trainBatch)
    const samples: number[] = []
    const cpu: number[] = []
    const tensorsAfterStep: number[] = []
    for (let i = 0; i < options.steps; i += 1) {
      const start = performance.now()
      // Worker threads (and the threaded build's pool) are threads of this process: cpuUsage counts them.
      const cpuStart = process.cpuUsage()
      await step(trainBatch)
      samples.push(performance.now() - start)
      const used = process.cpuUsage(cpuStart)
      cpu.push((used.user + used.system) / 1000)
      tensorsAfterStep.push(tf.memory().numTensors)
    }
    const heap = (tf.backend() as { wasm?: { HEAPF32?: Float32Array } }).wasm?.HEAPF32?.buffer.byteLength
    return {
      size,
      batch,
      workers,
      microBatchSize,
      msPerStep: median(samples),
      cpuMsPerStep: median(cpu),
      samples,
      tensorsAfterStep,
      wasmHeapMiB: heap === undefined ? null : heap / 1024 ** 2,
      workerHeapMiB: parallel?.heapBytes.map((b) => (b === null ? null : b / 1024 ** 2)) ?? [],
    }
  } finally {
    await parallel?.close()
    adam.dispose()
    model.dispose()
  }
}
