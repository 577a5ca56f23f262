import { Worker } from 'node:worker_threads'
import { WmsError } from '@wms/shared/errors'
import type { FromInferenceWorker, ToInferenceWorker } from '../../workers/inference-protocol.js'
import type { Disposable } from '../disposables.js'
import type { PhotoComparison } from './try-on-photo.js'

/** One try: a model folder on a staged photo, compared with its mask. */
export interface PhotoInferenceInput {
  modelDir: string
  image: string
  mask: string
}

/** Where "try it" predictions run: the inference worker in the app. */
export interface PhotoInference extends Disposable {
  tryOnPhoto(input: PhotoInferenceInput): Promise<PhotoComparison & { seconds: number }>
}

/**
 * Runs predictions in the inference worker thread (`out/main/inference-worker.js`), started on the first try and
 * kept for the next (models stay loaded there). A worker that dies fails its tries with the reason, and the next
 * try starts a new one.
 */
export function createWorkerPhotoInference(workerPath: string): PhotoInference {
  let worker: Worker | undefined
  let nextJob = 1
  const waiting = new Map<number, (message: FromInferenceWorker) => void>()

  const failAll = (message: string): void => {
    for (const [jobId, settle] of [...waiting]) {
      settle({ type: 'failed', jobId, error: { code: 'internal', message: `The model could not be run: ${message}` } })
    }
  }
  const ensureWorker = (): Worker => {
    if (worker !== undefined) return worker
    const started = new Worker(workerPath)
    started.on('message', (message: FromInferenceWorker) => waiting.get(message.jobId)?.(message))
    started.on('error', (error) => failAll(error.message))
    started.on('exit', (code) => {
      if (worker === started) worker = undefined
      failAll(`the inference worker stopped (exit code ${String(code)})`)
    })
    started.unref()
    worker = started
    return started
  }

  return {
    tryOnPhoto: (input) =>
      new Promise((resolve, reject) => {
        const jobId = nextJob
        nextJob += 1
        waiting.set(jobId, (message) => {
          waiting.delete(jobId)
          if (message.type === 'done') {
            const { predictedOverlay, differenceOverlay, ...rest } = message.result
            resolve({
              ...rest,
              predictedOverlay: Buffer.from(predictedOverlay),
              differenceOverlay: Buffer.from(differenceOverlay),
            })
          } else {
            const { code, message: text, hint, retryable } = message.error
            reject(
              new WmsError(code, text, {
                ...(hint === undefined ? {} : { hint }),
                ...(retryable === undefined ? {} : { retryable }),
              }),
            )
          }
        })
        ensureWorker().postMessage({ type: 'try', jobId, ...input } satisfies ToInferenceWorker)
      }),
    dispose: async () => {
      const stopping = worker
      worker = undefined
      failAll('the app is closing')
      await stopping?.terminate()
    },
  }
}
