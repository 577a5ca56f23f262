import { z } from 'zod'
import { WmsError } from '@wms/shared/errors'
import { chunk, MAX_BATCH_METRICS, MAX_BATCH_PARAMS_AND_TAGS } from '@wms/shared/tracking/keys'
import type { ArtifactFile, Experiment, Metric, Page, Run, RunInfo, RunStatus } from '@wms/shared/tracking/types'
import {
  downloadArtifacts,
  splitUri,
  uploadArtifacts,
  type ArtifactRepository,
} from '../artifacts/artifact-repository.js'
import { openArtifactRepository } from '../artifacts/open-artifact-repository.js'
import type { S3ArtifactSettings } from '../artifacts/s3-artifacts.js'
import type { CreateRunOptions, RunBatch, SearchRunsOptions, TrackingStore } from '../tracking-store.js'
import { MlflowHttp, type MlflowHttpOptions } from './mlflow-http.js'
import type { LockAttempt, LockHolder } from '../store-lock.js'
import { MlflowRestRegistry, orUndefined, tryServerLock } from './rest-registry.js'
import {
  decode,
  encodeMetricValue,
  toArtifactFiles,
  toExperiment,
  toMetrics,
  toRun,
  toRunInfo,
  toTagList,
} from './wire.js'

const API = '/api/2.0/mlflow'

/** The tracking port over an MLflow server's REST API 2.0 (artifacts through `--serve-artifacts`). */
export class MlflowRestStore extends MlflowRestRegistry implements TrackingStore {
  readonly kind = 'server' as const
  readonly display: string

  private readonly s3: S3ArtifactSettings | null

  /** `s3`: how to reach `s3://` artifact roots (from the environment); null for no S3 access. */
  constructor(options: MlflowHttpOptions & { s3?: S3ArtifactSettings | null }) {
    super(new MlflowHttp(options))
    this.display = this.http.display
    this.s3 = options.s3 ?? null
  }

  // ── experiments ──────────────────────────────────────────────────────────────────────────────────────────────

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    const json = await orUndefined(
      this.http.json<{ experiment?: unknown }>({
        method: 'GET',
        path: `${API}/experiments/get-by-name`,
        query: { experiment_name: name },
        idempotent: true,
      }),
    )
    if (json === undefined) return undefined
    const experiment = toExperiment(json.experiment)
    return experiment.lifecycleStage === 'active' ? experiment : undefined
  }

  async createExperiment(name: string, tags?: Record<string, string>): Promise<string> {
    const json = await this.http.json<{ experiment_id?: unknown }>({
      method: 'POST',
      path: `${API}/experiments/create`,
      json: { name, ...(tags === undefined ? {} : { tags: toTagList(tags) }) },
      idempotent: false,
    })
    return decode(z.union([z.string(), z.number().transform(String)]), json.experiment_id, 'experiments/create')
  }

  // ── runs ─────────────────────────────────────────────────────────────────────────────────────────────────────

  async createRun(options: CreateRunOptions): Promise<RunInfo> {
    const json = await this.http.json<{ run?: { info?: unknown } }>({
      method: 'POST',
      path: `${API}/runs/create`,
      json: {
        experiment_id: options.experimentId,
        start_time: options.startTime ?? Date.now(),
        ...(options.runName === undefined ? {} : { run_name: options.runName }),
        ...(options.userId === undefined ? {} : { user_id: options.userId }),
        tags: toTagList(options.tags),
      },
      idempotent: false,
    })
    return toRunInfo(json.run?.info)
  }

  async getRun(runId: string): Promise<Run> {
    const json = await this.http.json<{ run?: unknown }>({
      method: 'GET',
      path: `${API}/runs/get`,
      query: { run_id: runId },
      idempotent: true,
    })
    return toRun(json.run)
  }

  async logBatch(runId: string, batch: RunBatch): Promise<void> {
    const metrics = (batch.metrics ?? []).map((metric) => ({
      key: metric.key,
      value: encodeMetricValue(metric.value),
      timestamp: Math.trunc(metric.timestamp),
      step: Math.trunc(metric.step),
    }))
    const keyed = [
      ...Object.entries(batch.params ?? {}).map(([key, value]) => ({ kind: 'param' as const, key, value })),
      ...Object.entries(batch.tags ?? {}).map(([key, value]) => ({ kind: 'tag' as const, key, value })),
    ]
    for (const group of chunk(keyed, MAX_BATCH_PARAMS_AND_TAGS)) {
      const params = group.filter((item) => item.kind === 'param').map(({ key, value }) => ({ key, value }))
      const tags = group.filter((item) => item.kind === 'tag').map(({ key, value }) => ({ key, value }))
      // Params are write-once with the same value and tags overwrite: repeating this batch changes nothing.
      await this.http.json({
        method: 'POST',
        path: `${API}/runs/log-batch`,
        json: { run_id: runId, params, tags },
        idempotent: true,
      })
    }
    for (const group of chunk(metrics, MAX_BATCH_METRICS)) {
      // Metric points are appended: a retry after a lost answer would log them twice, so no automatic retry.
      await this.http.json({
        method: 'POST',
        path: `${API}/runs/log-batch`,
        json: { run_id: runId, metrics: group },
        idempotent: false,
      })
    }
  }

  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    const points: Metric[] = []
    let pageToken: string | undefined
    do {
      const json = await this.http.json<{ metrics?: unknown; next_page_token?: string }>({
        method: 'GET',
        path: `${API}/metrics/get-history`,
        query: { run_id: runId, metric_key: key, page_token: pageToken },
        idempotent: true,
      })
      points.push(...toMetrics(json.metrics))
      pageToken = json.next_page_token === '' ? undefined : json.next_page_token
    } while (pageToken !== undefined)
    return points
  }

  async updateRun(runId: string, update: { status?: RunStatus; endTime?: number; runName?: string }): Promise<RunInfo> {
    const json = await this.http.json<{ run_info?: unknown }>({
      method: 'POST',
      path: `${API}/runs/update`,
      json: {
        run_id: runId,
        ...(update.status === undefined ? {} : { status: update.status }),
        ...(update.endTime === undefined ? {} : { end_time: update.endTime }),
        ...(update.runName === undefined ? {} : { run_name: update.runName }),
      },
      idempotent: true,
    })
    return toRunInfo(json.run_info)
  }

  async setRunTag(runId: string, key: string, value: string): Promise<void> {
    await this.http.json({
      method: 'POST',
      path: `${API}/runs/set-tag`,
      json: { run_id: runId, key, value },
      idempotent: true,
    })
  }

  async searchRuns(options: SearchRunsOptions): Promise<Page<Run>> {
    const json = await this.http.json<{ runs?: unknown[]; next_page_token?: string }>({
      method: 'POST',
      path: `${API}/runs/search`,
      json: {
        experiment_ids: options.experimentIds,
        max_results: options.maxResults ?? 1000,
        order_by: ['attributes.start_time DESC'],
        ...(options.pageToken === undefined ? {} : { page_token: options.pageToken }),
      },
      idempotent: true,
    })
    const page: Page<Run> = { items: (json.runs ?? []).map(toRun) }
    if (json.next_page_token !== undefined && json.next_page_token !== '') page.nextPageToken = json.next_page_token
    return page
  }

  // ── artifacts ────────────────────────────────────────────────────────────────────────────────────────────────

  async logArtifacts(runId: string, localPath: string, artifactPath = ''): Promise<void> {
    await uploadArtifacts(await this.runArtifacts(runId), localPath, artifactPath)
  }

  async listArtifacts(runId: string, artifactPath = ''): Promise<ArtifactFile[]> {
    return (await this.runArtifacts(runId)).list(artifactPath)
  }

  async downloadArtifacts(runId: string, artifactPath: string, destDir: string): Promise<string> {
    return downloadArtifacts(await this.runArtifacts(runId), artifactPath, destDir, `run ${runId}`)
  }

  async downloadArtifactUri(uri: string, destDir: string): Promise<string> {
    const runsMatch = /^runs:\/([^/]+)\/?(.*)$/.exec(uri)
    if (runsMatch !== null) return this.downloadArtifacts(runsMatch[1] ?? '', runsMatch[2] ?? '', destDir)
    const { parent, name } = splitUri(uri)
    return downloadArtifacts(this.artifacts(parent), name, destDir, uri)
  }

  checkArtifactLocation(uri: string): void {
    this.artifacts(uri)
  }

  /**
   * With a `file:` root this machine wrote the artifact into a folder of its own; the server (its UI, other
   * machines) sees it only when that folder is shared. Asks the server to list it.
   */
  async checkArtifactVisible(runId: string, artifactPath: string): Promise<void> {
    const root = (await this.getRun(runId)).info.artifactUri
    const repository = this.artifacts(root)
    if (repository.kind !== 'local') return
    const folder = artifactPath.split('/').slice(0, -1).join('/')
    const seen = await this.http
      .json({
        method: 'GET',
        path: `${API}/artifacts/list`,
        query: { run_id: runId, ...(folder === '' ? {} : { path: folder }) },
        idempotent: true,
      })
      .then((json) => toArtifactFiles(json).some((file) => file.path === artifactPath))
      .catch(() => false)
    if (!seen) {
      throw new WmsError(
        'tracking/unsupported',
        `The MLflow server at ${this.display} keeps artifacts at ${root}, a folder this machine wrote to, but the server does not see what was written there.`,
        {
          hint: 'Start the server with --serve-artifacts --artifacts-destination <dir> (and no --default-artifact-root) so artifacts go through it, or use an s3:// artifact root.',
        },
      )
    }
  }

  // ── locks (a registered model per lock: the server has no lock of its own) ──────────────────────────────────

  tryLock(name: string, holder: LockHolder): Promise<LockAttempt> {
    return tryServerLock(this, name, holder)
  }

  async breakLock(name: string): Promise<void> {
    await orUndefined(this.deleteRegisteredModel(name))
  }

  describeLock(name: string): string {
    return `the registered model "${name}" on ${this.display}`
  }

  private async runArtifacts(runId: string): Promise<ArtifactRepository> {
    return this.artifacts((await this.getRun(runId)).info.artifactUri)
  }

  private artifacts(uri: string): ArtifactRepository {
    return openArtifactRepository(uri, { http: this.http, s3: this.s3 })
  }
}
