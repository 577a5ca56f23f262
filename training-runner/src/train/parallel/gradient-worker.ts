import { parentPort, workerData } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '../backend/select-backend.js'
import { shardGradients, type ShardResult } from '../loop/gradients.js'
import { assignModelValues, readModelValues } from '../model/model-files.js'
import { createUnet } from '../model/unet.js'
import { arriveAndWait, reduceRange, sumRange } from './all-reduce.js'
import type { FromWorker, ToWorker, WorkerInit } from './protocol.js'
import { digestValues, readParams, sharedLayout } from './shared-layout.js'

/**
 * A data-parallel gradient worker: its own wasm backend instance (one core) and a replica of the model. Before each
 * step it loads the shared weights — every replica copies the same bytes, so all are identical — computes its
 * shard's weighted gradients and running statistics into its slot of shared memory, waits at the barrier for the
 * other workers of the step, sums its range of every slot into the shared result and says it is done; the main
 * thread applies the update from the result.
 */
const init = workerData as WorkerInit
const port = parentPort
if (port === null) throw new Error('gradient-worker must run in a worker thread')
const post = (message: FromWorker): void => {
  port.postMessage(message)
}

// The worker's own thread count, not the parent's WMS_WASM_THREADS (which sizes an in-process backend).
const backend = await selectBackend('wasm', { env: { ...process.env, WMS_WASM_THREADS: String(init.threads) } })
const layout = sharedLayout(init.unet)
const params = new Float32Array(init.params)
const slots = init.slots.map((buffer) => new Float32Array(buffer))
const slot = slots[init.index] as Float32Array
const sum = new Float32Array(init.sum)
const control = new Int32Array(init.control)
const model = createUnet(init.unet, { values: readParams(layout, params) })

/** Computes this worker's shard into its slot; null (and the reason) when the pass throws. */
function computeShard(message: Extract<ToWorker, { type: 'step' }>): ShardResult | string {
  try {
    assignModelValues(model, readParams(layout, params))
    const result = shardGradients(model, message, message.batchCount, init.gradient)
    layout.grads.forEach((g, i) => {
      slot.set(result.grads[i] as Float32Array, g.offset)
    })
    layout.stats.forEach((s, i) => {
      slot.set(result.stats[i] as Float32Array, s.offset)
    })
    return result
  } catch (thrown) {
    return thrown instanceof Error ? thrown.message : String(thrown)
  }
}

function step(message: Extract<ToWorker, { type: 'step' }>): void {
  const result = computeShard(message)
  const failed = typeof result === 'string'
  // Every party arrives, even one whose pass failed, so no one waits for it; then no one sums.
  const anyFailed = arriveAndWait(control, message.parties.length, failed)
  if (failed) {
    post({ type: 'failed', id: message.id, message: result })
    return
  }
  if (!anyFailed) {
    const [start, end] = reduceRange(layout.slotFloats, message.parties.length, message.parties.indexOf(init.index))
    sumRange(
      message.parties.map((p) => slots[p] as Float32Array),
      sum,
      start,
      end,
    )
  }
  post({
    type: 'done',
    id: message.id,
    weightedLoss: result.weightedLoss,
    dice: result.dice,
    iou: result.iou,
    heapBytes: (tf.backend() as { wasm?: { HEAPF32?: Float32Array } }).wasm?.HEAPF32?.buffer.byteLength ?? null,
  })
}

port.on('message', (message: ToWorker) => {
  try {
    if (message.type === 'digest') {
      assignModelValues(model, readParams(layout, params))
      post({ type: 'digest', id: message.id, digest: digestValues(layout, readModelValues(model)) })
      return
    }
    step(message)
  } catch (thrown) {
    post({ type: 'failed', id: message.id, message: thrown instanceof Error ? thrown.message : String(thrown) })
  }
})
post({ type: 'ready', threads: backend.threads ?? 1 })
