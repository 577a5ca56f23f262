import os from 'node:os'
import pLimit from 'p-limit'
import { QaPolicySchema, type QaPolicy } from '@wms/shared/config/qa-policy'
import { WmsError } from '@wms/shared/errors'
import { formatSchemaIssues } from '@wms/shared/util/schema-issues'
import type { PairingProblem } from '@wms/shared/dataset/pairing'
import type { DatasetIndexEntry } from '@wms/shared/qa/dataset-index'
import { evaluateDataset, evaluateSample } from '@wms/shared/qa/evaluate'
import type { QaIssue } from '@wms/shared/qa/issue'
import type { ProbedFile, ProbedSample } from '@wms/shared/qa/probe'
import { assembleQaReport, type QaReport } from '@wms/shared/qa/report'
import { nullSink, type EventSink } from '../events/event-sink.js'
import type { QaPairInput } from './discover-pairs.js'
import { defaultQaCacheDir, ProbeCache } from './probe-cache.js'
import { cachedProbe, probeFile } from './probe-file.js'
import { ReadBuffers } from './read-buffers.js'

export { preloadDecoders } from './probe-file.js'

/**
 * The QA engine: probe every pair (bounded parallelism, cached by content hash), judge each pair as soon as it is
 * probed (so the app can stream results), then run the dataset-level rules (duplicates, outliers, pairing) and
 * assemble the report. Cancellable; never throws for bad data (bad data is what the report is about).
 */

/** One pair's result, as soon as its per-pair checks finish. */
export interface QaPairResult {
  sample: ProbedSample
  /** Per-pair issues (dataset-level ones come in the final report). */
  issues: QaIssue[]
  /** Pairs finished so far, and in all. */
  done: number
  total: number
}

/** Options of {@link runQa}. */
export interface RunQaOptions {
  pairs: readonly QaPairInput[]
  /** Problems from pairing (orphans, unsupported files…); they become `pairing/*` issues. */
  pairingProblems?: readonly PairingProblem[]
  /** Files that could not be paired (for the summary). */
  unpairedFiles?: number
  /** Thresholds; missing fields take their defaults. */
  policy?: Partial<QaPolicy>
  /** Files of the existing dataset to compare with (duplicates, collisions, outliers). */
  against?: readonly DatasetIndexEntry[]
  /** Stems that replace existing pairs on purpose (no collision error). */
  replacements?: Iterable<string>
  /** Folder of the probe cache; `null` for none (memory only); default: the user cache folder. */
  cacheDir?: string | null
  signal?: AbortSignal
  /** Pairs probed side by side (default: 2 per core, at least 2). */
  concurrency?: number
  onPairResult?: (result: QaPairResult) => void
  /** Progress events (step `qa`). */
  events?: EventSink
  /** What the report lists as its inputs. */
  inputs?: readonly string[]
}

/** Default number of pairs in flight: enough to keep libvips' threads and the JS thread busy together. */
export function defaultQaConcurrency(): number {
  return Math.max(2, os.availableParallelism() * 2)
}

/** Validates thresholds, filling in defaults; throws `usage/invalid-arguments` naming the bad fields. */
export function resolveQaPolicy(policy: Partial<QaPolicy> | undefined): QaPolicy {
  const parsed = QaPolicySchema.safeParse(policy ?? {})
  if (!parsed.success) {
    throw new WmsError('usage/invalid-arguments', `Invalid QA thresholds:\n${formatSchemaIssues(parsed.error)}`, {
      hint: 'Fix the qa section of wms.config.json (or the policy passed in).',
    })
  }
  return parsed.data
}

/** Runs QA over `options.pairs` and returns the report (partial and marked `cancelled` when aborted). */
export async function runQa(options: RunQaOptions): Promise<QaReport> {
  const policy = resolveQaPolicy(options.policy)
  const events = options.events ?? nullSink
  const started = Date.now()
  const cache = await ProbeCache.open(options.cacheDir === null ? undefined : (options.cacheDir ?? defaultQaCacheDir()))
  const total = options.pairs.length
  events.emit({ type: 'step-start', step: 'qa', title: `Checking ${String(total)} pairs` })

  const realDirs = new Map<string, Promise<string>>()
  const concurrency = options.concurrency ?? defaultQaConcurrency()
  const limit = pLimit(concurrency)
  // Two files per pair in flight, each read into a reused buffer.
  const buffers = new ReadBuffers(2 * concurrency)
  const context = { policy, cache, realDirs, realDirsSync: new Map<string, string>(), buffers }
  const samples: ProbedSample[] = []
  const perPair: QaIssue[] = []
  let done = 0
  let lastProgress = 0
  const signal = options.signal
  const aborted = (): boolean => signal?.aborted === true

  const finish = (pair: QaPairInput, image: ProbedFile, mask: ProbedFile): void => {
    const sample: ProbedSample = { sampleId: pair.sampleId, image, mask }
    const issues = evaluateSample(sample, policy)
    samples.push(sample)
    perPair.push(...issues)
    done += 1
    options.onPairResult?.({ sample, issues, done, total })
    const now = Date.now()
    if (now - lastProgress > 200 || done === total) {
      lastProgress = now
      const elapsed = (now - started) / 1000
      const etaSeconds = done === 0 ? undefined : (elapsed / done) * (total - done)
      events.emit({
        type: 'progress',
        step: 'qa',
        done,
        total,
        unit: 'pairs',
        ...(etaSeconds === undefined ? {} : { etaSeconds }),
      })
    }
  }

  // Unchanged files first, straight from the cache; the rest is probed side by side.
  const toProbe: QaPairInput[] = []
  for (const pair of options.pairs) {
    if (aborted()) break
    const image = cachedProbe(pair.image, 'image', context)
    const mask = image === undefined ? undefined : cachedProbe(pair.mask, 'mask', context)
    if (image !== undefined && mask !== undefined) finish(pair, image, mask)
    else toProbe.push(pair)
  }
  await Promise.all(
    toProbe.map((pair) =>
      limit(async () => {
        if (aborted()) return
        const [image, mask] = await Promise.all([
          probeFile(pair.image, 'image', context),
          probeFile(pair.mask, 'mask', context),
        ])
        if (!aborted()) finish(pair, image, mask)
      }),
    ),
  )
  const cancelled = aborted()
  await cache.save()

  const datasetIssues = cancelled
    ? []
    : evaluateDataset(
        {
          samples,
          pairingProblems: options.pairingProblems ?? [],
          existing: options.against ?? [],
          replacements: new Set(options.replacements ?? []),
        },
        policy,
      )
  const report = assembleQaReport({
    inputs: options.inputs ?? [],
    policy,
    samples,
    issues: [...perPair, ...datasetIssues],
    unpairedFiles: options.unpairedFiles ?? 0,
    againstEntries: options.against?.length ?? 0,
    cancelled,
  })
  const { errors, warnings } = report.summary
  events.emit({
    type: 'step-end',
    step: 'qa',
    status: cancelled ? 'cancelled' : report.passed ? 'ok' : 'failed',
    seconds: (Date.now() - started) / 1000,
    summary: `${String(report.summary.pairs)} pairs, ${String(errors)} errors, ${String(warnings)} warnings`,
  })
  return report
}
