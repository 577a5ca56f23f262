import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { WmsError } from '@wms/shared/errors'
import type { Batch } from '../data/batches.js'
import { shardBounds, type GradientOptions, type ShardResult } from '../loop/gradients.js'
import { applyShards, type StepResult } from '../loop/train-step.js'
import { readModelValues } from '../model/model-files.js'
import type { Unet, UnetConfig } from '../model/unet.js'
import type { Adam } from '../ops/adam.js'
import type { FromWorker, ToWorker, WorkerInit } from './protocol.js'
import { CONTROL_WORDS, resetBarrier } from './all-reduce.js'
import { digestValues, sharedLayout, writeParams } from './shared-layout.js'

/**
 * Data-parallel training on one machine: tfjs-wasm runs single-threaded in Node, so each core gets a worker
 * thread with its own wasm instance. A step writes the current weights into shared memory, splits the batch into
 * one shard per worker, and each worker loads those weights, computes its shard's gradients (weighted by its share
 * of the batch) into its own shared slot, meets the others at a barrier and sums its range of all slots into the
 * shared result (`all-reduce.ts`); the main thread applies one Adam update from the result to its model. Every
 * replica starts each step from the same bytes, so the weights are identical by construction; `digests()` proves
 * it (the test compares them after every step).
 */
export interface DataParallel {
  readonly workers: number
  /** One training step of `model` (the main thread's copy, which Adam updates) on `batch`. */
  step(model: Unet, adam: Adam, batch: Batch): Promise<StepResult>
  /** Each worker's wasm thread pool size, as its backend came up. */
  readonly threadsPerWorker: number[]
  /** Each worker's wasm heap after its last step (bytes; the heap only grows, so its peak), or null. */
  readonly heapBytes: (number | null)[]
  /** The MD5 of every worker's weights after loading the shared block, then the main model's. */
  digests(model: Unet): Promise<string[]>
  close(): Promise<void>
}

interface WorkerHandle {
  worker: Worker
  threads: number
  pending: Map<number, (message: FromWorker) => void>
}

/** Starts `workers` gradient workers for models of this config. */
export async function startDataParallel(options: {
  workers: number
  unet: UnetConfig
  gradient: GradientOptions
  /** Threads of each worker's wasm backend (default 1). */
  threadsPerWorker?: number
}): Promise<DataParallel> {
  const layout = sharedLayout(options.unet)
  const paramsBuffer = new SharedArrayBuffer(layout.paramFloats * 4)
  const params = new Float32Array(paramsBuffer)
  const slots = Array.from({ length: options.workers }, () => new SharedArrayBuffer(layout.slotFloats * 4))
  const sumBuffer = new SharedArrayBuffer(layout.slotFloats * 4)
  const sum = new Float32Array(sumBuffer)
  const controlBuffer = new SharedArrayBuffer(CONTROL_WORDS * 4)
  const control = new Int32Array(controlBuffer)
  const shared = { params: paramsBuffer, slots, sum: sumBuffer, control: controlBuffer }
  // Started together: each loads its own tfjs and wasm instance, which is most of a worker's start-up.
  const started = await Promise.allSettled(
    Array.from({ length: options.workers }, (_, index) =>
      spawnWorker({
        index,
        unet: options.unet,
        gradient: options.gradient,
        threads: options.threadsPerWorker ?? 1,
        ...shared,
      }),
    ),
  )
  const handles = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  const failed = started.find((s) => s.status === 'rejected')
  if (failed !== undefined) {
    await Promise.all(handles.map((h) => h.worker.terminate()))
    throw failed.reason
  }
  let nextId = 1
  const request = (handle: WorkerHandle, message: ToWorker, transfer: ArrayBuffer[] = []): Promise<FromWorker> =>
    new Promise((resolve) => {
      handle.pending.set(message.id, resolve)
      handle.worker.postMessage(message, transfer)
    })

  const heapBytes: (number | null)[] = handles.map(() => null)
  return {
    workers: handles.length,
    threadsPerWorker: handles.map((h) => h.threads),
    heapBytes,
    step: async (model, adam, batch) => {
      writeParams(layout, params, readModelValues(model))
      resetBarrier(control)
      const pixels = batch.size * batch.size
      const bounds = shardBounds(batch.count, handles.length)
      const busy = handles
        .map((handle, index) => ({ handle, index, bounds: bounds[index] as [number, number] }))
        .filter(({ bounds: [start, end] }) => end > start)
      const parties = busy.map((b) => b.index)
      const replies = await Promise.all(
        busy.map(({ handle, bounds: [start, end] }) => {
          const images = batch.images.slice(start * pixels * 3, end * pixels * 3)
          const masks = batch.masks.slice(start * pixels, end * pixels)
          const id = nextId++
          const message: ToWorker = {
            type: 'step',
            id,
            images,
            masks,
            count: end - start,
            side: batch.size,
            batchCount: batch.count,
            parties,
          }
          return request(handle, message, [images.buffer, masks.buffer])
        }),
      )
      // Check every reply before using the sum: a failed pass means the workers did not sum.
      const done = replies.map((reply, i) => {
        if (reply.type !== 'done') throw workerFailure(reply)
        heapBytes[(busy[i] as { index: number }).index] = reply.heapBytes
        return reply
      })
      // The workers summed the slots already: one shard holding the batch's gradients, losses in shard order.
      const summed: ShardResult = {
        grads: layout.grads.map((g) => sum.subarray(g.offset, g.offset + g.length)),
        stats: layout.stats.map((st) => sum.subarray(st.offset, st.offset + st.length)),
        weightedLoss: done.reduce((total, r) => total + r.weightedLoss, 0),
        dice: done.flatMap((r) => r.dice),
        iou: done.flatMap((r) => r.iou),
      }
      return applyShards(model, adam, [summed])
    },
    digests: async (model) => {
      const values = readModelValues(model)
      writeParams(layout, params, values)
      const replies = await Promise.all(handles.map((handle) => request(handle, { type: 'digest', id: nextId++ })))
      return [
        ...replies.map((reply) => {
          if (reply.type !== 'digest') throw workerFailure(reply)
          return reply.digest
        }),
        digestValues(layout, values),
      ]
    },
    close: async () => {
      await Promise.all(handles.map((h) => h.worker.terminate()))
    },
  }
}

function workerFailure(reply: FromWorker): WmsError {
  const message = reply.type === 'failed' ? reply.message : `unexpected reply ${reply.type}`
  if (/memory access out of bounds|out of memory|Cannot enlarge memory|Aborted\(/i.test(message)) {
    return new WmsError('training/out-of-memory', `A training worker ran out of wasm memory: ${message}`, {
      hint: 'Set a smaller microBatchSize (or batchSize / imageSize) in the training config.',
    })
  }
  return new WmsError('training/failed', `A training worker failed: ${message}`)
}

/** Starts one worker and waits until its backend and model are ready. */
async function spawnWorker(workerData: WorkerInit): Promise<WorkerHandle> {
  const { entry, eval: isCode, execArgv } = workerEntry()
  const worker = new Worker(entry, { workerData, execArgv, eval: isCode })
  const handle: WorkerHandle = { worker, threads: 1, pending: new Map() }
  const failPending = (message: string): void => {
    for (const [id, resolve] of handle.pending) resolve({ type: 'failed', id, message })
    handle.pending.clear()
  }
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') {
        handle.threads = message.threads
        resolve()
        return
      }
      const settle = handle.pending.get(message.id)
      handle.pending.delete(message.id)
      settle?.(message)
    })
    // A worker that dies (an error, or killed for memory) fails its pending step instead of leaving it waiting.
    worker.on('error', (error) => {
      reject(error)
      failPending(error.message)
    })
    worker.on('exit', (code) => {
      reject(new Error(`training worker ${String(workerData.index)} exited with code ${String(code)} while starting`))
      failPending(`training worker ${String(workerData.index)} exited (code ${String(code)})`)
    })
  })
  return handle
}

/**
 * The worker's entry: the compiled `.js` next to this module; or, when this module runs from TypeScript source
 * (tests, `tsx`), a bootstrap that registers tsx's loader in the worker and then imports the `.ts` file with the
 * `source` export condition (a worker cannot start from a `.ts` file, and `--import` in its execArgv comes too late).
 */
function workerEntry(): { entry: URL | string; eval: boolean; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith('.ts')
  const url = new URL(fromSource ? './gradient-worker.ts' : './gradient-worker.js', import.meta.url)
  if (!fromSource) return { entry: url, eval: false, execArgv: [] }
  const tsxRoot = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'))
  const tsxApi = pathToFileURL(path.join(tsxRoot, 'dist', 'esm', 'api', 'index.mjs')).href
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}) })`
  return { entry: bootstrap, eval: true, execArgv: ['--conditions=source'] }
}
