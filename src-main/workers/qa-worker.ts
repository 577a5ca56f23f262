import { parentPort } from 'node:worker_threads'
import { orientedSize, foregroundFraction } from '@wms/shared/qa/probe'
import type { QaIssue } from '@wms/shared/qa/issue'
import { existingDatasetIndex, preloadDecoders, readDatasetVersion, runQa } from 'training-runner'
import type { QaPairVerdict } from '../services/staging/qa-checker.js'
import type { FromQaWorker, QaJobRequest, QaPrepare, ToQaWorker } from './worker-protocol.js'
import type { DatasetIndexEntry } from '@wms/shared/qa/dataset-index'
import path from 'node:path'

/**
 * The QA worker thread: runs the runner's QA engine on staged pairs, off the main thread (sharp decodes on
 * libvips' threads, but mask statistics and perceptual hashes are JavaScript loops that would stall IPC).
 * One job at a time; a newer job cancels the older one.
 */
if (parentPort === null) throw new Error('qa-worker must run in a worker thread')
const port = parentPort
const jobs = new Map<number, AbortController>()

const send = (message: FromQaWorker): void => port.postMessage(message)

// The existing dataset changes only when its .dvc files do: index it once per version.
let existing: { key: string; entries: Promise<DatasetIndexEntry[]> } | undefined
async function existingEntries(request: QaJobRequest | QaPrepare): Promise<DatasetIndexEntry[]> {
  const key = await readDatasetVersion(path.join(request.workspaceRoot, request.datasetRoot))
  if (existing?.key !== key) {
    const entries = existingDatasetIndex(request.workspaceRoot, {
      cacheDir: request.cacheDir,
      policy: request.policy,
    }).then(
      (found) => found.entries,
      // Without a readable remote, the upload is still checked on its own; the merge in CI checks it again.
      () => [],
    )
    existing = { key, entries }
  }
  return existing.entries
}

function verdictOf(
  id: string,
  issues: readonly QaIssue[],
  sample?: Parameters<NonNullable<Parameters<typeof runQa>[0]['onPairResult']>>[0]['sample'],
): QaPairVerdict {
  const verdict: QaPairVerdict = { id, issues: issues.map((issue) => ({ ...issue })) }
  // Which bytes QA read: a submission pushes a pair only with exactly these.
  if (sample !== undefined) verdict.seen = { image: sample.image.md5, mask: sample.mask.md5 }
  if (sample?.image.ok === true) Object.assign(verdict, orientedSize(sample.image.header))
  if (sample?.mask.ok === true && sample.mask.mask !== undefined)
    verdict.foreground = foregroundFraction(sample.mask.mask)
  return verdict
}

port.on('message', (message: ToQaWorker) => {
  if (message.type === 'prepare') {
    // sharp/libvips load on first use; load them now, before the annotator's first pairs arrive.
    void preloadDecoders()
    void existingEntries(message)
    return
  }
  if (message.type === 'cancel') {
    jobs.get(message.jobId)?.abort()
    return
  }
  for (const controller of jobs.values()) controller.abort()
  const controller = new AbortController()
  jobs.set(message.jobId, controller)
  // The staging service sends the runner's own pair inputs: they go to runQa as they are.
  const pairs = message.pairs
  const samples = new Map<string, Parameters<typeof verdictOf>[2]>()
  existingEntries(message)
    .then((against) =>
      runQa({
        pairs,
        against,
        policy: message.policy,
        replacements: message.replacements,
        cacheDir: message.cacheDir,
        signal: controller.signal,
        onPairResult: ({ sample, issues }) => {
          samples.set(sample.sampleId, sample)
          send({ type: 'pair', jobId: message.jobId, verdict: verdictOf(sample.sampleId, issues, sample) })
        },
      }),
    )
    .then(
      (report) => {
        jobs.delete(message.jobId)
        if (controller.signal.aborted) return
        const bySample = new Map<string, QaIssue[]>()
        for (const issue of report.issues)
          bySample.set(issue.sampleId, [...(bySample.get(issue.sampleId) ?? []), issue])
        send({
          type: 'done',
          jobId: message.jobId,
          verdicts: pairs.map((pair) =>
            verdictOf(pair.sampleId, bySample.get(pair.sampleId) ?? [], samples.get(pair.sampleId)),
          ),
        })
      },
      (thrown: unknown) => {
        jobs.delete(message.jobId)
        send({
          type: 'failed',
          jobId: message.jobId,
          message: thrown instanceof Error ? thrown.message : String(thrown),
        })
      },
    )
})
