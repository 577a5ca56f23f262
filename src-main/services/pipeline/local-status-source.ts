import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import type { PipelineRunRecord } from '@wms/shared/pipeline/run-record'
import { queuedTimeline, timelineFromRecord } from '@wms/shared/pipeline/timeline-from-record'
import type { CurvePoint, PipelineTimeline } from '@wms/shared/pipeline/timeline'
import { listDataBranches, listDatasetPairs, listRunRecords, openRepo, runGit, type RunnerState } from 'training-runner'
import type { PipelineEventLog } from './event-log.js'
import type { MlflowStatusReader } from './mlflow-status.js'
import type { PipelineStatusSource } from './status-source.js'

/** Options of {@link LocalStatusSource}. */
export interface LocalStatusSourceOptions {
  workspaceRoot: string
  /** The dataset folder, relative to the workspace (thumbnails of the gate's test images). */
  datasetRoot: string
  log: PipelineEventLog
  /** What the local runner runs and queues now (nothing when the app runs no local runner). */
  runnerState: () => RunnerState
  /** MLflow, for the curves of runs the app did not see train (a `pipeline run` in a terminal). */
  tracking?: MlflowStatusReader
  intervalMs?: number
}

/** The media path of a dataset picture's thumbnail (served by the media service). */
export function datasetThumbPath(relpath: string): string {
  return `dataset/${encodeURIComponent(relpath)}/thumb`
}

/**
 * The local runner's status: each branch's run record (`.wms/pipeline/`), the app's event log of it (curves,
 * latest message), and the branches waiting in the runner's queue. A look that finds the files and the queue as
 * they were answers `undefined` without reading a record: the local form of a conditional request.
 */
export class LocalStatusSource implements PipelineStatusSource {
  readonly kind = 'local' as const
  readonly label = 'local runner'
  readonly intervalMs: number
  private lastFingerprint: string | undefined
  private readonly commitTimes = new Map<string, number | null>()

  constructor(private readonly options: LocalStatusSourceOptions) {
    this.intervalMs = options.intervalMs ?? 2_000
  }

  async poll(): Promise<PipelineTimeline[] | undefined> {
    const fingerprint = await this.fingerprint()
    if (fingerprint === this.lastFingerprint) return undefined
    const timelines = await this.read()
    this.lastFingerprint = fingerprint
    return timelines
  }

  private async fingerprint(): Promise<string> {
    const dir = path.join(this.options.workspaceRoot, '.wms', 'pipeline')
    let names: string[] = []
    try {
      names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort()
    } catch (thrown) {
      if ((thrown as NodeJS.ErrnoException).code !== 'ENOENT') throw thrown
    }
    const stats = await Promise.all(names.map((name) => stat(path.join(dir, name)).catch(() => undefined)))
    const records = names.map((name, index) => `${name}:${String(stats[index]?.mtimeMs)}:${String(stats[index]?.size)}`)
    const state = this.options.runnerState()
    // Another MLflow server saved in Settings may hold the curves the log lacks: that is a change too.
    const mlflow = (await this.options.tracking?.target()) ?? null
    return JSON.stringify([records, await this.options.log.fingerprint(), state.running, state.queued, mlflow])
  }

  private async read(): Promise<PipelineTimeline[]> {
    const root = this.options.workspaceRoot
    const records = await listRunRecords(root)
    const thumbs = await this.thumbs(records)
    const timelines = await Promise.all(
      records.map(async (record) => {
        const log = await this.options.log.summary(record.branch)
        const tracked = await this.trackedCurve(record, log.curve)
        return timelineFromRecord(record, {
          pushedAt: await this.commitTime(record.commit),
          curve: tracked?.curve ?? log.curve,
          epochs: tracked?.epochs ?? log.epochs,
          message: log.message,
          thumb: (id) => thumbs.get(id) ?? null,
        })
      }),
    )
    const known = new Set(records.map((record) => record.branch))
    const { running, queued } = this.options.runnerState()
    // Branches the runner has but no record yet: waiting in the queue, or starting (the CLI is loading).
    const waiting = [...(running === null ? [] : [running]), ...queued].filter((branch) => !known.has(branch))
    if (waiting.length > 0) {
      const branches = await listDataBranches(root)
      for (const branch of waiting) {
        const found = branches.find((candidate) => candidate.branch === branch)
        if (found === undefined) continue
        const timeline = queuedTimeline(branch, found.commit, found.committedAt, Date.now())
        timelines.push(
          branch === running ? { ...timeline, state: 'running', message: 'Starting the pipeline…' } : timeline,
        )
      }
    }
    return timelines.sort((a, b) => (b.pushedAt ?? b.updatedAt) - (a.pushedAt ?? a.updatedAt))
  }

  /** MLflow's curves for a run the event log did not see (or saw only part of). */
  private async trackedCurve(
    record: PipelineRunRecord,
    logged: CurvePoint[],
  ): Promise<{ curve: CurvePoint[]; epochs: number | null } | undefined> {
    const runId = record.train?.runId ?? record.mlflowRunId
    const tracking = this.options.tracking
    if (runId === null || tracking === undefined) return undefined
    if (record.train !== null && logged.length >= record.train.epochs) return undefined
    if (record.train === null && logged.length > 0) return undefined
    const run = await tracking.run(runId).catch(() => undefined)
    return run === undefined || run.curve.length <= logged.length ? undefined : run
  }

  /** When a branch commit was made (the submit), read once per commit from git. */
  private async commitTime(commit: string): Promise<number | null> {
    if (this.commitTimes.has(commit)) return this.commitTimes.get(commit) ?? null
    let seconds = Number.NaN
    try {
      const git = openRepo(this.options.workspaceRoot)
      seconds = Number((await runGit('show', () => git.raw(['show', '-s', '--format=%ct', commit]))).trim())
    } catch {
      // Not a repository, or the commit is gone: the push time stays unknown.
    }
    const time = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null
    this.commitTimes.set(commit, time)
    return time
  }

  /** Thumbnails of the gate's best and worst test images that the workspace's dataset holds. */
  private async thumbs(records: PipelineRunRecord[]): Promise<Map<string, string>> {
    const wanted = new Set(
      records.flatMap((record) => [...(record.gate?.perImage?.best ?? []), ...(record.gate?.perImage?.worst ?? [])]),
    )
    const found = new Map<string, string>()
    if (wanted.size === 0) return found
    const ids = new Set([...wanted].map((delta) => delta.id))
    const { pairs } = await listDatasetPairs(path.join(this.options.workspaceRoot, this.options.datasetRoot))
    for (const pair of pairs) if (ids.has(pair.stem)) found.set(pair.stem, datasetThumbPath(pair.image))
    return found
  }
}
