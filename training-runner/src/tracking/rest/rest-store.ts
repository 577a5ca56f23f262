import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { WmsError } from '@wms/shared/errors'
import { chunk, MAX_BATCH_METRICS, MAX_BATCH_PARAMS_AND_TAGS } from '@wms/shared/tracking/keys'
import type { ArtifactFile, Experiment, Metric, Page, Run, RunInfo, RunStatus } from '@wms/shared/tracking/types'
import { copyInto, exists, fromFileUri, listFilesRecursive } from '../file-store/fs-util.js'
import type { CreateRunOptions, RunBatch, SearchRunsOptions, TrackingStore } from '../tracking-store.js'
import { MlflowHttp, type MlflowHttpOptions } from './mlflow-http.js'
import { MlflowRestRegistry, orUndefined } from './rest-registry.js'
import { decode, encodeMetricValue, toExperiment, toMetrics, toRun, toRunInfo, toTagList } from './wire.js'

const API = '/api/2.0/mlflow'
const ARTIFACTS_API = '/api/2.0/mlflow-artifacts/artifacts'

const FileList = z.object({
  files: z
    .array(
      z.object({
        path: z.string(),
        is_dir: z.boolean().optional(),
        file_size: z.union([z.number(), z.string().transform(Number)]).optional(),
      }),
    )
    .optional(),
})

/** The tracking port over an MLflow server's REST API 2.0 (artifacts through `--serve-artifacts`). */
export class MlflowRestStore extends MlflowRestRegistry implements TrackingStore {
  readonly kind = 'server' as const
  readonly display: string

  constructor(options: MlflowHttpOptions) {
    super(new MlflowHttp(options))
    this.display = this.http.display
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
    const root = (await this.getRun(runId)).info.artifactUri
    const isDir = (await stat(localPath)).isDirectory()
    const base = isDir ? artifactPath : joinPath(artifactPath, path.basename(localPath))
    const local = fromFileUri(root)
    if (local !== undefined) {
      await copyInto(localPath, path.join(local, ...splitPath(base)))
      return
    }
    const proxied = proxiedPath(root)
    if (proxied === undefined) {
      throw new WmsError(
        'tracking/unsupported',
        `Run ${runId} stores artifacts at ${root}, which this client cannot write to.`,
        {
          hint: 'Start the MLflow server with --serve-artifacts (artifacts then go through the server).',
        },
      )
    }
    const files = isDir
      ? (await listFilesRecursive(localPath)).map((file) => [path.join(localPath, file), joinPath(base, file)] as const)
      : [[localPath, base] as const]
    for (const [file, target] of files) {
      await this.http.json({
        method: 'PUT',
        path: `${ARTIFACTS_API}/${encodePath(joinPath(proxied, target))}`,
        body: await readFile(file),
        idempotent: true,
      })
    }
  }

  async listArtifacts(runId: string, artifactPath = ''): Promise<ArtifactFile[]> {
    const json = await this.http.json({
      method: 'GET',
      path: `${API}/artifacts/list`,
      query: { run_id: runId, ...(artifactPath === '' ? {} : { path: artifactPath }) },
      idempotent: true,
    })
    return toArtifactFiles(json, '')
  }

  async downloadArtifacts(runId: string, artifactPath: string, destDir: string): Promise<string> {
    return this.download(
      {
        list: (dir) => this.listArtifacts(runId, dir),
        get: (file) =>
          this.http.bytes({
            method: 'GET',
            path: '/get-artifact',
            query: { run_id: runId, path: file },
            idempotent: true,
          }),
      },
      artifactPath,
      destDir,
      `run ${runId}`,
    )
  }

  async downloadArtifactUri(uri: string, destDir: string): Promise<string> {
    const runsMatch = /^runs:\/([^/]+)\/?(.*)$/.exec(uri)
    if (runsMatch !== null) return this.downloadArtifacts(runsMatch[1] ?? '', runsMatch[2] ?? '', destDir)
    const local = fromFileUri(uri)
    if (local !== undefined) {
      if (!(await exists(local)))
        throw new WmsError('tracking/not-found', `The artifact ${uri} does not exist on this machine.`)
      const dest = path.join(destDir, path.basename(local))
      await copyInto(local, dest)
      return dest
    }
    const proxied = proxiedPath(uri)
    if (proxied === undefined) {
      throw new WmsError(
        'tracking/unsupported',
        `Cannot download ${uri}: only runs:/, file: and mlflow-artifacts: URIs are supported.`,
      )
    }
    return this.download(
      {
        list: async (dir) => {
          const json = await this.http.json({
            method: 'GET',
            path: ARTIFACTS_API,
            query: { path: dir },
            idempotent: true,
          })
          return toArtifactFiles(json, dir)
        },
        get: (file) =>
          this.http.bytes({ method: 'GET', path: `${ARTIFACTS_API}/${encodePath(file)}`, idempotent: true }),
      },
      proxied,
      destDir,
      uri,
    )
  }

  // Lists the parent to learn whether `target` is a file or a folder, then fetches file by file.
  private async download(
    source: { list: (dir: string) => Promise<ArtifactFile[]>; get: (file: string) => Promise<Uint8Array> },
    target: string,
    destDir: string,
    what: string,
  ): Promise<string> {
    const clean = splitPath(target).join('/')
    const parent = splitPath(clean).slice(0, -1).join('/')
    const isRoot = clean === ''
    const entry = isRoot ? { path: '', isDir: true } : (await source.list(parent)).find((file) => file.path === clean)
    if (entry === undefined) throw new WmsError('tracking/not-found', `${what} has no artifact '${clean}'.`)
    const dest = path.join(destDir, isRoot ? 'artifacts' : path.basename(clean))
    if (!entry.isDir) {
      await mkdir(path.dirname(dest), { recursive: true })
      await writeFile(dest, await source.get(clean))
      return dest
    }
    await mkdir(dest, { recursive: true })
    const walk = async (dir: string, into: string): Promise<void> => {
      for (const child of await source.list(dir)) {
        const local = path.join(into, path.basename(child.path))
        if (child.isDir) {
          await mkdir(local, { recursive: true })
          await walk(child.path, local)
        } else {
          await writeFile(local, await source.get(child.path))
        }
      }
    }
    await walk(clean, dest)
    return dest
  }
}

function toArtifactFiles(json: unknown, base: string): ArtifactFile[] {
  const files = decode(FileList, json, 'an artifact listing').files ?? []
  return files.map((file) => {
    // The proxied listing names children relative to the listed folder; the run listing, relative to the root.
    const relative = base === '' || file.path.startsWith(`${base}/`) ? file.path : joinPath(base, file.path)
    const entry: ArtifactFile = { path: relative, isDir: file.is_dir === true }
    if (file.file_size !== undefined) entry.fileSize = file.file_size
    return entry
  })
}

/** The path part of an `mlflow-artifacts:` URI (`mlflow-artifacts:/1/R/artifacts`, `mlflow-artifacts://host/1/…`). */
function proxiedPath(uri: string): string | undefined {
  const match = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(uri)
  return match === null ? undefined : splitPath(match[1] ?? '').join('/')
}

function splitPath(value: string): string[] {
  return value.split('/').filter((segment) => segment !== '' && segment !== '.')
}

function joinPath(...parts: string[]): string {
  return parts.flatMap(splitPath).join('/')
}

function encodePath(value: string): string {
  return splitPath(value).map(encodeURIComponent).join('/')
}
