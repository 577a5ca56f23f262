import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import type { QaPolicy } from '@wms/shared/config/qa-policy'
import type { SplitRatios } from '@wms/shared/dataset/split'
import { pairsForNonEmptySplit, splitShare } from '@wms/shared/dataset/split'
import { WmsError } from '@wms/shared/errors'
import { QaReportSchema, type QaReport } from '@wms/shared/qa/report'
import { formatSchemaIssues } from '@wms/shared/util/schema-issues'
import type { EventSink } from '../events/event-sink.js'
import { discoverPairs } from '../qa/discover-pairs.js'
import { defaultQaCacheDir } from '../qa/probe-cache.js'
import { runQa } from '../qa/run-qa.js'
import { loadDatasetSplit } from '../train/dataset-samples.js'

/**
 * What a training run needs to be worth recording, checked before any time is spent: a test split the gate can
 * score on, and the QA report the run is trained after.
 */

/** Which QA report a run records: one given (object or file), one made here over the training data, or none. */
export type QaReportSource = { report: QaReport } | { file: string } | 'dataset' | 'none'

/**
 * Refuses a dataset whose test split is empty: the gate compares models on the test split, so such a run could
 * never be judged. The message says how many pairs a split of that size needs.
 */
export async function assertUsableTestSplit(datasetRoot: string, ratios: SplitRatios): Promise<void> {
  const { splits } = await loadDatasetSplit(datasetRoot, ratios)
  if (splits.test.length > 0) return
  const total = splits.train.length + splits.val.length
  const share = splitShare(ratios, 'test')
  const needed = pairsForNonEmptySplit(share)
  const percent = `${String(Math.round(share * 1000) / 10)} %`
  throw new WmsError(
    'training/failed',
    `The test split is empty: none of the ${String(total)} pairs in ${datasetRoot} falls into it (split ${String(ratios.train)}/${String(ratios.val)}/${String(ratios.test)} by each image's content hash), so the gate could never compare this model with production.`,
    {
      hint: Number.isFinite(needed)
        ? `A test share of ${percent} needs about ${String(needed)} pairs to hold at least one pair (95 % of the time): add pairs, or raise training.split.test in wms.config.json.`
        : 'training.split.test is 0: give the test split a share in wms.config.json.',
    },
  )
}

/** The QA report to record, from where {@link QaReportSource} says; undefined for `none`. */
export async function resolveQaReport(
  source: QaReportSource,
  options: {
    datasetRoot: string
    policy: Partial<QaPolicy>
    events: EventSink
    /** For the probe cache's folder (`XDG_CACHE_HOME`). */
    env?: NodeJS.ProcessEnv
    signal?: AbortSignal
  },
): Promise<QaReport | undefined> {
  if (source === 'none') return undefined
  if (source !== 'dataset') return 'report' in source ? source.report : readQaReportFile(source.file)
  const discovered = await discoverPairs([options.datasetRoot])
  return runQa({
    pairs: discovered.pairs,
    pairingProblems: discovered.problems,
    unpairedFiles: discovered.unpairedFiles,
    inputs: [path.basename(options.datasetRoot)],
    policy: options.policy,
    events: options.events,
    cacheDir: defaultQaCacheDir(options.env),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  })
}

/** Reads a QA report written by `training-runner qa --report-json` (or `--json`); errors name the file. */
export async function readQaReportFile(file: string): Promise<QaReport> {
  let json: unknown
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a file')
    json = JSON.parse(await readFile(file, 'utf8'))
  } catch (thrown) {
    throw new WmsError('usage/invalid-arguments', `Cannot read the QA report ${file}: ${(thrown as Error).message}`, {
      hint: 'Pass the JSON report `training-runner qa … --report-json <file>` wrote.',
    })
  }
  const parsed = QaReportSchema.safeParse(json)
  if (!parsed.success) {
    throw new WmsError('usage/invalid-arguments', `${file} is not a QA report:\n${formatSchemaIssues(parsed.error)}`, {
      hint: 'Pass the JSON report `training-runner qa … --report-json <file>` wrote.',
    })
  }
  return parsed.data
}
