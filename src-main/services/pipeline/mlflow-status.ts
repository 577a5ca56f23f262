import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { GateVerdictSchema, type GateVerdict } from '@wms/shared/gate/verdict'
import { METRIC_NAMES } from '@wms/shared/tracking/metrics'
import { RUN_TAGS } from '@wms/shared/tracking/tags'
import type { CurvePoint, ExternalLink } from '@wms/shared/pipeline/timeline'
import type { TrackingStore } from 'training-runner'

/** The metrics the curves draw, and the point field each fills. */
const CURVE_METRICS = [
  [METRIC_NAMES.trainLoss, 'trainLoss'],
  [METRIC_NAMES.valLoss, 'valLoss'],
  [METRIC_NAMES.trainDice, 'trainDice'],
  [METRIC_NAMES.valDice, 'valDice'],
] as const

/** A store as {@link MlflowStatusReader} opens it, with the server's UI address for links (null: a FileStore). */
export interface OpenedTracking {
  store: TrackingStore
  uiBase: string | null
}

/** A training run as MLflow has it: its curves, the epochs it was set to, whether it still runs, a link. */
export interface TrackedRun {
  runId: string
  branch: string | null
  running: boolean
  epochs: number | null
  curve: CurvePoint[]
  link: ExternalLink | null
}

/**
 * Reads training runs and gate verdicts from MLflow (a server or the FileStore) for the timelines: the per-epoch
 * metric history as curves, and the verdict the gate stored with the candidate run (`gate/verdict.json`). MLflow
 * has no conditional requests, so what cannot change any more — a finished run, a stored verdict — is read once.
 */
export class MlflowStatusReader {
  private readonly finishedRuns = new Map<string, TrackedRun>()
  private readonly verdicts = new Map<string, GateVerdict>()
  private readonly workflowRuns = new Map<string, string>()
  private readonly registeredVersions = new Map<string, string>()
  private store: { key: string; opened: Promise<OpenedTracking> } | undefined

  constructor(
    private readonly open: () => Promise<OpenedTracking>,
    /**
     * Names the server and credentials `open` would use now (a digest of the stored MLflow account). A store keeps
     * the address and login it was opened with, so when this changes — the user saved a token or another server in
     * Settings after the first look — the store is opened again; otherwise every later look would read the old
     * server, or be refused with the old (or no) login, until a restart.
     */
    private readonly targetKey: () => Promise<string> = () => Promise.resolve(''),
  ) {}

  /** Which server and login a look reads now (changes when the stored MLflow account does). */
  target(): Promise<string> {
    return this.targetKey()
  }

  private async opened(): Promise<OpenedTracking> {
    const key = await this.targetKey()
    if (this.store?.key !== key) {
      // What was read from another server (runs, verdicts, which run a workflow made) is not this one's.
      if (this.store !== undefined) this.forget()
      const opened = this.open().catch((thrown: unknown) => {
        // A store that failed to open (no such folder, bad URL) is opened again at the next look.
        if (this.store?.opened === opened) this.store = undefined
        throw thrown
      })
      this.store = { key, opened }
    }
    return this.store.opened
  }

  private async tracking(): Promise<TrackingStore> {
    return (await this.opened()).store
  }

  private forget(): void {
    this.finishedRuns.clear()
    this.verdicts.clear()
    this.workflowRuns.clear()
    this.registeredVersions.clear()
  }

  /** A run's curves and state. */
  async run(runId: string): Promise<TrackedRun> {
    const cached = this.finishedRuns.get(runId)
    if (cached !== undefined) return cached
    const { store, uiBase } = await this.opened()
    const run = await store.getRun(runId)
    const histories = await Promise.all(CURVE_METRICS.map(([key]) => store.getMetricHistory(runId, key)))
    const byEpoch = new Map<number, CurvePoint>()
    histories.forEach((history, index) => {
      const field = CURVE_METRICS[index]?.[1]
      if (field === undefined) return
      for (const point of history) {
        if (point.step < 1 || !Number.isFinite(point.value)) continue
        const entry = byEpoch.get(point.step) ?? curvePoint(point.step)
        entry[field] = point.value
        byEpoch.set(point.step, entry)
      }
    })
    const epochs = Number(run.params.epochs)
    const tracked: TrackedRun = {
      runId,
      branch: run.tags[RUN_TAGS.gitBranch] ?? null,
      running: run.info.status === 'RUNNING',
      epochs: Number.isInteger(epochs) && epochs > 0 ? epochs : null,
      curve: [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch),
      link:
        uiBase === null
          ? null
          : {
              href: `${uiBase}/#/experiments/${encodeURIComponent(run.info.experimentId)}/runs/${encodeURIComponent(runId)}`,
              label: 'MLflow run',
            },
    }
    if (!tracked.running) this.finishedRuns.set(runId, tracked)
    return tracked
  }

  /**
   * The training run a GitHub workflow run made (its `wms.github.run` tag), among the experiment's newest runs;
   * remembered once found.
   */
  async runIdForWorkflowRun(experiment: string, workflowRunId: number): Promise<string | undefined> {
    const key = String(workflowRunId)
    const known = this.workflowRuns.get(key)
    if (known !== undefined) return known
    const store = await this.tracking()
    const found = await store.getExperimentByName(experiment)
    if (found === undefined) return undefined
    const page = await store.searchRuns({ experimentIds: [found.experimentId], maxResults: 100 })
    // The tag is `<run id>` or `<run id>#<run number>` (provenance.ts).
    const run = page.items.find((candidate) => {
      const tag = candidate.tags[RUN_TAGS.githubRun]
      return tag === key || tag?.startsWith(`${key}#`) === true
    })
    if (run !== undefined) this.workflowRuns.set(key, run.info.runId)
    return run?.info.runId
  }

  /**
   * The registry version a promoted run became (the `wms.registry.version` tag promotion sets on it), or undefined
   * while it has none. Read again until found: the tag comes after the run finished, so the cached run lacks it.
   */
  async registeredVersion(runId: string): Promise<string | undefined> {
    const known = this.registeredVersions.get(runId)
    if (known !== undefined) return known
    const store = await this.tracking()
    const version = (await store.getRun(runId)).tags[RUN_TAGS.registeredVersion]
    if (version !== undefined) this.registeredVersions.set(runId, version)
    return version
  }

  /** The gate's verdict stored with a candidate run, or undefined while there is none. */
  async gateVerdict(runId: string): Promise<GateVerdict | undefined> {
    const cached = this.verdicts.get(runId)
    if (cached !== undefined) return cached
    const store = await this.tracking()
    const files = await store.listArtifacts(runId, 'gate')
    if (!files.some((file) => file.path === 'gate/verdict.json')) return undefined
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wms-verdict-'))
    try {
      const local = await store.downloadArtifacts(runId, 'gate/verdict.json', dir)
      const parsed = GateVerdictSchema.safeParse(JSON.parse(await readFile(local, 'utf8')))
      if (!parsed.success) return undefined
      this.verdicts.set(runId, parsed.data)
      return parsed.data
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
}

function curvePoint(epoch: number): CurvePoint {
  return { epoch, trainLoss: null, valLoss: null, trainDice: null, valDice: null }
}
