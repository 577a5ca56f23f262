import { parentPort } from 'node:worker_threads'
import { toAppError } from '@wms/shared/errors'
import { loadPredictor, selectBackend, type Predictor } from 'training-runner'
import { tryOnPhoto } from '../services/models/try-on-photo.js'
import type { FromInferenceWorker, ToInferenceWorker } from './inference-protocol.js'

/**
 * The inference worker thread of Models → Try it: loads a registered version's model with the runner's
 * `loadPredictor` and predicts with its `predictMask` — what `training-runner predict` runs — so TensorFlow.js never
 * blocks the main process's event loop (IPC, the web host, QA streaming). Jobs run one at a time; the two most
 * recently used models stay loaded.
 */
if (parentPort === null) throw new Error('inference-worker must run in a worker thread')
const port = parentPort
const KEEP_MODELS = 2
const loaded = new Map<string, Promise<Predictor>>()
let backend: Promise<unknown> | undefined
let queue: Promise<void> = Promise.resolve()

function predictor(modelDir: string): Promise<Predictor> {
  let found = loaded.get(modelDir)
  if (found !== undefined) {
    loaded.delete(modelDir)
    loaded.set(modelDir, found)
    return found
  }
  // The same backend choice as `predict`'s default ('auto').
  backend ??= selectBackend('auto')
  found = backend.then(() => loadPredictor(modelDir))
  found.catch(() => loaded.delete(modelDir))
  loaded.set(modelDir, found)
  for (const [dir, old] of loaded) {
    if (loaded.size <= KEEP_MODELS) break
    loaded.delete(dir)
    void old.then(
      (model) => model.dispose(),
      () => undefined,
    )
  }
  return found
}

async function run(job: ToInferenceWorker): Promise<FromInferenceWorker> {
  const started = performance.now()
  try {
    const comparison = await tryOnPhoto(await predictor(job.modelDir), job.image, job.mask)
    return {
      type: 'done',
      jobId: job.jobId,
      result: { ...comparison, seconds: (performance.now() - started) / 1000 },
    }
  } catch (thrown) {
    return { type: 'failed', jobId: job.jobId, error: toAppError(thrown) }
  }
}

port.on('message', (job: ToInferenceWorker) => {
  queue = queue.then(async () => port.postMessage(await run(job)))
})
