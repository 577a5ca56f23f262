import * as tf from '@tensorflow/tfjs'
import { Adam, bceWithLogits, createUnet, DEFAULT_UNET } from 'training-runner'

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
