import { Worker } from 'node:worker_threads'
import type { FromQaWorker, ToQaWorker } from '../../workers/worker-protocol.js'
import type { QaChecker, QaPairVerdict } from './qa-checker.js'

/** Where the worker runs and what it needs to know. */
export interface WorkerQaCheckerOptions {
  /** The built worker entry (`out/main/qa-worker.js`). */
  workerPath: string
  workspaceRoot: string
  datasetRoot: string
  /** Probe cache folder (cached by content hash, so re-checks of unchanged files are instant). */
  cacheDir: string
  policy: Record<string, unknown>
}

/**
 * Runs QA in a worker thread (started lazily, reused across runs). Cancelling a run tells the worker to stop;
 * if the worker dies, the run fails and the next run starts a new worker.
 */
export function createWorkerQaChecker(options: WorkerQaCheckerOptions): QaChecker {
  let worker: Worker | undefined
  let nextJob = 1
  const listeners = new Map<number, (message: FromQaWorker) => void>()

  const ensureWorker = (): Worker => {
    if (worker !== undefined) return worker
    const started = new Worker(options.workerPath)
    started.on('message', (message: FromQaWorker) => listeners.get(message.jobId)?.(message))
    started.on('error', (error) => {
      for (const listener of listeners.values()) listener({ type: 'failed', jobId: 0, message: error.message })
    })
    started.on('exit', () => {
      worker = undefined
    })
    started.unref()
    worker = started
    return started
  }

  return {
    prepare: () => {
      ensureWorker().postMessage({
        type: 'prepare',
        workspaceRoot: options.workspaceRoot,
        datasetRoot: options.datasetRoot,
        cacheDir: options.cacheDir,
        policy: options.policy,
      } satisfies ToQaWorker)
    },
    run: (input, { signal, onPair }) =>
      new Promise<QaPairVerdict[]>((resolve, reject) => {
        const jobId = nextJob
        nextJob += 1
        const thread = ensureWorker()
        const finish = (): void => {
          listeners.delete(jobId)
          signal.removeEventListener('abort', cancel)
        }
        const cancel = (): void => {
          thread.postMessage({ type: 'cancel', jobId } satisfies ToQaWorker)
          finish()
          reject(new Error('cancelled'))
        }
        signal.addEventListener('abort', cancel, { once: true })
        listeners.set(jobId, (message) => {
          if (message.type === 'pair') onPair(message.verdict)
          else if (message.type === 'done') {
            finish()
            resolve(message.verdicts)
          } else {
            finish()
            reject(new Error(`QA failed: ${message.message}`))
          }
        })
        thread.postMessage({
          type: 'run',
          jobId,
          pairs: input.pairs,
          replacements: input.replacements,
          workspaceRoot: options.workspaceRoot,
          datasetRoot: options.datasetRoot,
          cacheDir: options.cacheDir,
          policy: options.policy,
        } satisfies ToQaWorker)
      }),
    dispose: async () => {
      await worker?.terminate()
      worker = undefined
    },
  }
}
