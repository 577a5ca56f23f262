import { parentPort, workerData } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '../backend/select-backend.js'
import { shardGradients } from '../loop/gradients.js'
import { assignModelValues, readModelValues } from '../model/model-files.js'
import { createUnet } from '../model/unet.js'
import type { FromWorker, ToWorker, WorkerInit } from './protocol.js'
import { digestValues, readParams, sharedLayout } from './shared-layout.js'

/**
 * A data-parallel gradient worker: its own wasm backend instance (one core) and a replica of the model. Before each
 * step it loads the shared weights — every replica copies the same bytes, so all are identical — computes its
 * shard's weighted gradients and running statistics into its slot of shared memory and says it is done; the main
 * thread sums the slots and applies the update.
 */
const init = workerData as WorkerInit
const port = parentPort
if (port === null) throw new Error('gradient-worker must run in a worker thread')
const post = (message: FromWorker): void => {
  port.postMessage(message)
}

await selectBackend('wasm')
const layout = sharedLayout(init.unet)
const params = new Float32Array(init.params)
const slot = new Float32Array(init.slot)
const model = createUnet(init.unet, { values: readParams(layout, params) })

port.on('message', (message: ToWorker) => {
  try {
    assignModelValues(model, readParams(layout, params))
    if (message.type === 'digest') {
      post({ type: 'digest', id: message.id, digest: digestValues(layout, readModelValues(model)) })
      return
    }
    const result = shardGradients(model, message, message.batchCount, init.gradient)
    layout.grads.forEach((g, i) => {
      slot.set(result.grads[i] as Float32Array, g.offset)
    })
    layout.stats.forEach((s, i) => {
      slot.set(result.stats[i] as Float32Array, s.offset)
    })
    post({
      type: 'done',
      id: message.id,
      weightedLoss: result.weightedLoss,
      dice: result.dice,
      iou: result.iou,
      heapBytes: (tf.backend() as { wasm?: { HEAPF32?: Float32Array } }).wasm?.HEAPF32?.buffer.byteLength ?? null,
    })
  } catch (thrown) {
    post({ type: 'failed', id: message.id, message: thrown instanceof Error ? thrown.message : String(thrown) })
  }
})
post({ type: 'ready' })
