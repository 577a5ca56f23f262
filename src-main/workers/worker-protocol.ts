import type { QaPairInput, QaPairVerdict } from '../services/staging/qa-checker.js'

/** A QA job sent to the worker thread. */
export interface QaJobRequest {
  type: 'run'
  jobId: number
  pairs: QaPairInput[]
  replacements: string[]
  /** The workspace, whose current dataset version the staged pairs are checked against (duplicates, names). */
  workspaceRoot: string
  /** `dataset.root` of the workspace config. */
  datasetRoot: string
  cacheDir: string
  policy: Record<string, unknown>
}

/** Cancels a running job. */
export interface QaJobCancel {
  type: 'cancel'
  jobId: number
}

/** Warms the worker up before the first job: loads the image stack and indexes the existing dataset. */
export type QaPrepare = Pick<QaJobRequest, 'workspaceRoot' | 'datasetRoot' | 'cacheDir' | 'policy'> & {
  type: 'prepare'
}

/** Messages from the main thread to the worker. */
export type ToQaWorker = QaJobRequest | QaJobCancel | QaPrepare

/** Messages from the worker: a pair's verdict as it finishes, the final verdicts, or a failure. */
export type FromQaWorker =
  | { type: 'pair'; jobId: number; verdict: QaPairVerdict }
  | { type: 'done'; jobId: number; verdicts: QaPairVerdict[] }
  | { type: 'failed'; jobId: number; message: string }
