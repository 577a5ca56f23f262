import { randomUUID } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import type { ModelEvaluation } from '@wms/shared/gate/verdict'
import { renderQaMarkdown } from '@wms/shared/qa/render-report'
import type { QaReport } from '@wms/shared/qa/report'
import { flattenParams, keyProblem } from '@wms/shared/tracking/keys'
import { renderMlmodel, type MlmodelDescription } from '@wms/shared/tracking/mlmodel'
import { formatPerImageCsv, renderCurvesSvg } from '@wms/shared/tracking/run-artifacts'
import { ARTIFACT_PATHS, MLFLOW_TAGS } from '@wms/shared/tracking/tags'
import { finalTestMetric, METRIC_NAMES } from '@wms/shared/tracking/metrics'
import type { Metric, RunStatus } from '@wms/shared/tracking/types'
import { nullSink, type EventSink } from '../events/event-sink.js'
import { getOrCreateExperiment } from './open-tracking-store.js'
import type { TrackingStore } from './tracking-store.js'

/**
 * What the training loop calls to record a run: `startRun` → `logParams` / `logMetrics(step)` (live, per epoch) /
 * `setTags` / `logArtifact…` / `logTestResults` → `finish`.
 *
 * Live metrics never stop training: when the tracking server is unavailable the points stay buffered (a `log`
 * warning says so) and go out with the next call; `finish` fails only if they still cannot be delivered.
 */

/** Options of {@link startRun}. */
export interface StartRunOptions {
  experiment: string
  runName?: string
  /** Provenance tags (see `collectRunTags`). */
  tags?: Record<string, string>
  startTime?: number
  now?: () => number
  events?: EventSink
}

/** Creates the run (and the experiment, if new) and returns its logger. */
export async function startRun(store: TrackingStore, options: StartRunOptions): Promise<RunLogger> {
  const experiment = await getOrCreateExperiment(store, options.experiment)
  // Artifacts this client cannot write (an unsupported store) fail now, before a run exists and before training.
  store.checkArtifactLocation(experiment.artifactLocation)
  const now = options.now ?? Date.now
  const tags: Record<string, string> = {
    [MLFLOW_TAGS.sourceName]: 'training-runner',
    [MLFLOW_TAGS.sourceType]: 'LOCAL',
    ...options.tags,
  }
  const info = await store.createRun({
    experimentId: experiment.experimentId,
    startTime: options.startTime ?? now(),
    tags,
    ...(options.runName === undefined ? {} : { runName: options.runName }),
  })
  return new RunLogger(store, info.runId, info.experimentId, info.artifactUri, now, options.events ?? nullSink)
}

/** Logs one run (see the module comment). Not safe for concurrent calls: await each one. */
export class RunLogger {
  private pending: Metric[] = []
  private finished = false

  constructor(
    private readonly store: TrackingStore,
    readonly runId: string,
    readonly experimentId: string,
    readonly artifactUri: string,
    private readonly now: () => number,
    private readonly events: EventSink,
  ) {}

  /** Logs the full config as params (nested objects flattened to dotted keys: `training.augment.hflip`). */
  async logParams(params: Record<string, unknown>): Promise<void> {
    await this.store.logBatch(this.runId, { params: flattenParams(params) })
  }

  /** Sets tags (overwriting). */
  async setTags(tags: Record<string, string>): Promise<void> {
    await this.store.logBatch(this.runId, { tags })
  }

  /** Logs metric values at a step (the epoch). Buffered, never thrown, when the server is unavailable. */
  async logMetrics(metrics: Record<string, number>, step: number): Promise<void> {
    const timestamp = this.now()
    for (const [key, value] of Object.entries(metrics)) {
      const problem = keyProblem(key)
      if (problem !== undefined) throw new WmsError('tracking/invalid', `Invalid metric name '${key}': ${problem}.`)
      this.pending.push({ key, value, timestamp, step })
    }
    await this.flush(false)
  }

  /** Copies a local file or folder into the run's artifacts (`artifactPath` = folder inside the run). */
  async logArtifact(localPath: string, artifactPath?: string): Promise<void> {
    await this.store.logArtifacts(this.runId, localPath, artifactPath)
  }

  /**
   * Stores the trained model folder as the run's `model/` artifact — the folder `gate` downloads and hands to
   * `EvaluateModel`, and the source `promote` registers. With a `description`, an `MLmodel` file goes with it, so
   * MLflow's tools can describe the model (flavor `tfjs`, input signature, what produced it).
   */
  async logModel(
    modelDir: string,
    description?: Omit<MlmodelDescription, 'runId' | 'artifactPath' | 'modelUuid' | 'createdAt'>,
  ): Promise<void> {
    await this.store.logArtifacts(this.runId, modelDir, ARTIFACT_PATHS.model)
    if (description === undefined) return
    await this.logText(
      ARTIFACT_PATHS.mlmodel,
      renderMlmodel({
        ...description,
        runId: this.runId,
        artifactPath: ARTIFACT_PATHS.model,
        modelUuid: randomUUID().replace(/-/g, ''),
        createdAt: new Date(this.now()),
      }),
    )
  }

  /** Stores the QA report the run was trained after (`reports/qa-report.json`, and as Markdown for people). */
  async logQaReport(report: QaReport): Promise<void> {
    await this.logText(ARTIFACT_PATHS.qaReport, `${JSON.stringify(report, null, 2)}\n`)
    await this.logText(ARTIFACT_PATHS.qaReportMarkdown, renderQaMarkdown(report))
  }

  /** Stores the model's metadata (`metadata/model-metadata.json`). */
  async logMetadata(metadata: unknown): Promise<void> {
    await this.logText(ARTIFACT_PATHS.metadata, `${JSON.stringify(metadata, null, 2)}\n`)
  }

  /** Stores text as an artifact at `artifactPath` (e.g. `plots/loss.svg`). */
  async logText(artifactPath: string, content: string): Promise<void> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wms-artifact-'))
    try {
      const file = path.join(dir, path.posix.basename(artifactPath))
      await writeFile(file, content)
      const folder = path.posix.dirname(artifactPath)
      await this.store.logArtifacts(this.runId, file, folder === '.' ? '' : folder)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }

  /**
   * The final test results: `final_test_dice`, `final_test_iou` (and `final_test_<other>`) metrics like the old
   * system, the per-image CSV, and loss/Dice curves drawn from the logged epoch metrics.
   */
  async logTestResults(evaluation: ModelEvaluation, step: number): Promise<void> {
    const finals: Record<string, number> = {}
    for (const [key, value] of Object.entries(evaluation.aggregate)) finals[finalTestMetric(key)] = value
    await this.logMetrics(finals, step)
    await this.logText(ARTIFACT_PATHS.perImageCsv, formatPerImageCsv(evaluation.perImage))
    await this.logCurves()
  }

  /** Draws `plots/loss.svg` and `plots/dice.svg` from the logged `train_*` / `val_*` histories. */
  async logCurves(): Promise<void> {
    await this.flush(true)
    const series = async (keys: string[]) =>
      Promise.all(keys.map(async (key) => ({ name: key, points: await this.store.getMetricHistory(this.runId, key) })))
    await this.logText(
      ARTIFACT_PATHS.lossPlot,
      renderCurvesSvg('Loss', await series([METRIC_NAMES.trainLoss, METRIC_NAMES.valLoss]), 'loss'),
    )
    await this.logText(
      ARTIFACT_PATHS.dicePlot,
      renderCurvesSvg('Dice', await series([METRIC_NAMES.trainDice, METRIC_NAMES.valDice]), 'Dice'),
    )
  }

  /** Flushes buffered metrics and marks the run FINISHED (or FAILED/KILLED). Safe to call twice. */
  async finish(status: Extract<RunStatus, 'FINISHED' | 'FAILED' | 'KILLED'> = 'FINISHED'): Promise<void> {
    if (this.finished) return
    await this.flush(true)
    await this.store.updateRun(this.runId, { status, endTime: this.now() })
    this.finished = true
  }

  /** Metric points not delivered yet. */
  get pendingMetrics(): number {
    return this.pending.length
  }

  private async flush(strict: boolean): Promise<void> {
    if (this.pending.length === 0) return
    const batch = this.pending
    try {
      await this.store.logBatch(this.runId, { metrics: batch })
      this.pending = this.pending.slice(batch.length)
    } catch (thrown) {
      if (strict || !(thrown instanceof WmsError) || thrown.code !== 'tracking/unavailable') throw thrown
      this.events.emit({
        type: 'log',
        level: 'warn',
        message: `MLflow is unavailable (${thrown.message}); ${String(this.pending.length)} metric points are kept and will be sent with the next update.`,
      })
    }
  }
}
