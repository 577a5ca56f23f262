import type { UnetConfig } from '../model/unet.js'
import type { GradientOptions } from '../loop/gradients.js'

/** What a gradient worker starts with (`workerData`). */
export interface WorkerInit {
  index: number
  unet: UnetConfig
  gradient: GradientOptions
  /** Threads of this worker's wasm backend (1: the single-threaded build; more: tfjs's threaded build). */
  threads: number
  /** The shared weights block (float32, {@link SharedLayout.paramFloats}). */
  params: SharedArrayBuffer
  /** Every worker's gradient slot (float32, {@link SharedLayout.slotFloats}); this worker writes `slots[index]`. */
  slots: SharedArrayBuffer[]
  /** The summed slots (same layout), which the workers fill between them after each step's barrier. */
  sum: SharedArrayBuffer
  /** The barrier's control words (Int32, `CONTROL_WORDS` of all-reduce.ts). */
  control: SharedArrayBuffer
}

/** Main thread → worker. */
export type ToWorker =
  | {
      type: 'step'
      id: number
      images: Float32Array
      masks: Float32Array
      count: number
      side: number
      /** Images in the whole batch (the shard's weight is count / batchCount). */
      batchCount: number
      /** The workers with a shard this step, in batch order: they meet at the barrier and sum their slots. */
      parties: number[]
    }
  /** Load the shared weights and report their digest (the identical-weights check). */
  | { type: 'digest'; id: number }

/** Worker → main thread. */
export type FromWorker =
  /** `threads`: the pool size of the worker's wasm backend, as it came up. */
  | { type: 'ready'; threads: number }
  | {
      type: 'done'
      id: number
      weightedLoss: number
      dice: number[]
      iou: number[]
      /** The worker's wasm heap after the step (it only grows: its peak), or null off wasm. */
      heapBytes: number | null
    }
  | { type: 'digest'; id: number; digest: string }
  | { type: 'failed'; id: number; message: string }
