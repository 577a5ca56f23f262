import { randomBytes, randomUUID } from 'node:crypto'
import { appendFile, mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import { formatMetricLine, parseMetricFile } from '@wms/shared/tracking/metric-line'
import { experimentFromMeta, experimentMetaDoc, runInfoFromMeta, runMetaDoc } from '@wms/shared/tracking/meta-yaml'
import { MAX_PARAM_VALUE_LENGTH, MAX_TAG_VALUE_LENGTH } from '@wms/shared/tracking/keys'
import { MLFLOW_TAGS } from '@wms/shared/tracking/tags'
import {
  latestMetrics,
  type ArtifactFile,
  type Experiment,
  type Metric,
  type Page,
  type Run,
  type RunInfo,
  type RunStatus,
} from '@wms/shared/tracking/types'
import {
  downloadArtifacts,
  splitUri,
  uploadArtifacts,
  type ArtifactRepository,
} from '../artifacts/artifact-repository.js'
import { localPathOf, openArtifactRepository } from '../artifacts/open-artifact-repository.js'
import type { S3ArtifactSettings } from '../artifacts/s3-artifacts.js'
import { tryFileLock, type LockAttempt, type LockHolder } from '../store-lock.js'
import type { CreateRunOptions, RunBatch, SearchRunsOptions, TrackingStore } from '../tracking-store.js'
import { FileStoreRegistry } from './file-store-registry.js'
import {
  exists,
  keyPath,
  listDirs,
  readKeyValueDir,
  readMeta,
  readText,
  toFileUri,
  writeFileAtomic,
  writeMeta,
} from './fs-util.js'

/** Options of {@link MlflowFileStore}. */
export interface FileStoreOptions {
  /** Clock (epoch ms); injected by tests. */
  now?: () => number
  /**
   * Artifact root of new experiments, like `mlflow server --default-artifact-root` (default: the store folder
   * itself, `file:///…/<root>`). The experiment's location is `<root>/<experiment id>`.
   */
  defaultArtifactRoot?: string
  /** Maps a non-`file:` artifact URI (e.g. `mlflow-artifacts:/…`) to a local folder, for a server backed by us. */
  resolveArtifactUri?: (uri: string) => string | undefined
  /** How to reach `s3://` artifact roots (MLflow's environment conventions); absent or null: no S3 access. */
  s3?: S3ArtifactSettings | null
}

const RESERVED_DIRS = new Set(['.trash', 'models', '.wms'])

/**
 * The MLflow FileStore (`file:` tracking URI) in MLflow 2.9's on-disk format (research/mlflow-observed.md), registry
 * included: what it writes, `mlflow ui` and MLflow's Python client can read, and it reads what they write.
 */
export class MlflowFileStore extends FileStoreRegistry implements TrackingStore {
  readonly kind = 'filestore' as const
  readonly display: string
  private readonly options: FileStoreOptions
  private readonly runDirs = new Map<string, string>()
  private ready: Promise<void> | undefined

  constructor(root: string, options: FileStoreOptions = {}) {
    const absolute = path.resolve(root)
    const now = options.now ?? Date.now
    super(absolute, now)
    this.display = absolute
    this.options = options
  }

  /** Creates the root and the Default experiment (id 0) if missing, as MLflow does on first use. */
  async ensureRoot(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(path.join(this.root, '.trash'), { recursive: true })
      if ((await readMeta(path.join(this.root, '0', 'meta.yaml'))) !== undefined) return
      if (await exists(path.join(this.root, '0'))) return
      await this.writeExperiment('0', 'Default')
    })()
    return this.ready
  }

  // ── experiments ──────────────────────────────────────────────────────────────────────────────────────────────

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    await this.ensureRoot()
    for (const experiment of await this.listExperiments()) {
      if (experiment.name === name && experiment.lifecycleStage === 'active') return experiment
    }
    return undefined
  }

  async createExperiment(name: string, tags: Record<string, string> = {}): Promise<string> {
    await this.ensureRoot()
    if (name.trim() === '') throw new WmsError('tracking/invalid', 'An experiment name may not be empty.')
    const all = await this.listExperiments(true)
    if (all.some((experiment) => experiment.name === name)) {
      throw new WmsError('tracking/already-exists', `Experiment(name=${name}) already exists.`)
    }
    let id = randomExperimentId()
    while (all.some((experiment) => experiment.experimentId === id)) id = randomExperimentId()
    await this.writeExperiment(id, name)
    for (const [key, value] of Object.entries(tags)) {
      await writeFileAtomic(keyPath(path.join(this.root, id, 'tags'), key), value)
    }
    return id
  }

  private async writeExperiment(id: string, name: string): Promise<void> {
    const now = this.now()
    const base = this.options.defaultArtifactRoot ?? toFileUri(this.root)
    await writeMeta(
      path.join(this.root, id, 'meta.yaml'),
      experimentMetaDoc({
        experimentId: id,
        name,
        artifactLocation: `${base.replace(/\/+$/, '')}/${id}`,
        lifecycleStage: 'active',
        creationTime: now,
        lastUpdateTime: now,
      }),
    )
  }

  private async listExperiments(includeTrash = false): Promise<Experiment[]> {
    const experiments: Experiment[] = []
    const dirs = (await listDirs(this.root))
      .filter((dir) => !RESERVED_DIRS.has(dir))
      .map((dir) => path.join(this.root, dir))
    if (includeTrash)
      dirs.push(...(await listDirs(path.join(this.root, '.trash'))).map((dir) => path.join(this.root, '.trash', dir)))
    for (const dir of dirs) {
      const experiment = await this.readExperiment(dir)
      if (experiment !== undefined) experiments.push(experiment)
    }
    return experiments
  }

  private async readExperiment(dir: string): Promise<Experiment | undefined> {
    const doc = await readMeta(path.join(dir, 'meta.yaml')).catch(() => undefined)
    if (doc === undefined) return undefined
    try {
      const meta = experimentFromMeta(doc)
      // MLflow ignores an experiment whose id does not match its folder name.
      if (meta.experimentId !== path.basename(dir)) return undefined
      return { ...meta, tags: await readKeyValueDir(path.join(dir, 'tags')) }
    } catch {
      return undefined
    }
  }

  // ── runs ─────────────────────────────────────────────────────────────────────────────────────────────────────

  async createRun(options: CreateRunOptions): Promise<RunInfo> {
    await this.ensureRoot()
    const experiment = await this.readExperiment(path.join(this.root, options.experimentId))
    if (experiment === undefined) {
      throw new WmsError('tracking/not-found', `Could not find experiment with ID ${options.experimentId}`)
    }
    if (experiment.lifecycleStage !== 'active') {
      throw new WmsError('tracking/invalid', `The experiment ${options.experimentId} must be in the 'active' state.`)
    }
    const runId = randomUUID().replace(/-/g, '')
    const runName = options.runName ?? options.tags?.[MLFLOW_TAGS.runName] ?? `run-${runId.slice(0, 8)}`
    const info: RunInfo = {
      runId,
      experimentId: options.experimentId,
      runName,
      userId: options.userId ?? '',
      status: 'RUNNING',
      startTime: options.startTime ?? this.now(),
      artifactUri: `${experiment.artifactLocation.replace(/\/+$/, '')}/${runId}/artifacts`,
      lifecycleStage: 'active',
    }
    const dir = path.join(this.root, options.experimentId, runId)
    await writeMeta(path.join(dir, 'meta.yaml'), runMetaDoc(info))
    await mkdir(path.join(dir, 'metrics'), { recursive: true })
    await mkdir(path.join(dir, 'params'), { recursive: true })
    await mkdir(path.join(dir, 'artifacts'), { recursive: true })
    const tags: Record<string, string> = { ...options.tags, [MLFLOW_TAGS.runName]: runName }
    if (options.userId !== undefined) tags[MLFLOW_TAGS.user] = options.userId
    for (const [key, value] of Object.entries(tags)) await this.writeTag(dir, key, value)
    this.runDirs.set(runId, dir)
    return info
  }

  async getRun(runId: string): Promise<Run> {
    const dir = await this.runDir(runId)
    const info = await this.readRunInfo(dir)
    const points: Metric[] = []
    for (const [key, text] of Object.entries(await readKeyValueDir(path.join(dir, 'metrics')))) {
      points.push(...this.parseMetrics(dir, key, text))
    }
    return {
      info,
      metrics: latestMetrics(points),
      params: await readKeyValueDir(path.join(dir, 'params')),
      tags: await readKeyValueDir(path.join(dir, 'tags')),
    }
  }

  async logBatch(runId: string, batch: RunBatch): Promise<void> {
    const dir = await this.runDir(runId)
    await this.assertActive(dir, runId)
    for (const [key, value] of Object.entries(batch.params ?? {})) {
      if (value.length > MAX_PARAM_VALUE_LENGTH) {
        throw new WmsError(
          'tracking/invalid',
          `Param value for '${key}' exceeded length limit of ${String(MAX_PARAM_VALUE_LENGTH)}`,
        )
      }
      const file = keyPath(path.join(dir, 'params'), key)
      const existing = await readText(file)
      if (existing !== undefined && existing !== value) {
        throw new WmsError(
          'tracking/invalid',
          `Changing param values is not allowed. Param with key='${key}' was already logged with value='${existing}' for run ID='${runId}'. Attempted logging new value '${value}'.`,
        )
      }
      if (existing === undefined) await writeFileAtomic(file, value)
    }
    for (const [key, value] of Object.entries(batch.tags ?? {})) await this.writeTag(dir, key, value)
    // Points of one key are appended in one write, in the order given.
    const byKey = new Map<string, string>()
    for (const metric of batch.metrics ?? []) {
      keyPath(path.join(dir, 'metrics'), metric.key)
      byKey.set(metric.key, (byKey.get(metric.key) ?? '') + formatMetricLine(metric))
    }
    for (const [key, lines] of byKey) {
      const file = keyPath(path.join(dir, 'metrics'), key)
      await mkdir(path.dirname(file), { recursive: true })
      await appendFile(file, lines)
    }
  }

  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    return this.getMetricHistoryIn(await this.runDir(runId), key)
  }

  private async getMetricHistoryIn(dir: string, key: string): Promise<Metric[]> {
    const text = await readText(keyPath(path.join(dir, 'metrics'), key))
    return text === undefined ? [] : this.parseMetrics(dir, key, text)
  }

  private parseMetrics(dir: string, key: string, text: string): Metric[] {
    try {
      return parseMetricFile(key, text)
    } catch (thrown) {
      throw new WmsError('tracking/corrupt', `${path.join(dir, 'metrics', key)}: ${(thrown as Error).message}`)
    }
  }

  async updateRun(runId: string, update: { status?: RunStatus; endTime?: number; runName?: string }): Promise<RunInfo> {
    const dir = await this.runDir(runId)
    await this.assertActive(dir, runId)
    const info = await this.readRunInfo(dir)
    if (update.status !== undefined) info.status = update.status
    if (update.endTime !== undefined) info.endTime = update.endTime
    if (update.runName !== undefined) {
      info.runName = update.runName
      await this.writeTag(dir, MLFLOW_TAGS.runName, update.runName)
    }
    await writeMeta(path.join(dir, 'meta.yaml'), runMetaDoc(info))
    return info
  }

  async setRunTag(runId: string, key: string, value: string): Promise<void> {
    const dir = await this.runDir(runId)
    await this.assertActive(dir, runId)
    await this.writeTag(dir, key, value)
  }

  async searchRuns(options: SearchRunsOptions): Promise<Page<Run>> {
    const runs: Run[] = []
    for (const experimentId of options.experimentIds) {
      for (const runId of await listDirs(path.join(this.root, experimentId))) {
        if (runId === 'tags' || runId === 'datasets') continue
        const dir = path.join(this.root, experimentId, runId)
        const doc = await readMeta(path.join(dir, 'meta.yaml')).catch(() => undefined)
        if (doc === undefined) continue
        const info = safeRunInfo(doc)
        if (info?.experimentId !== experimentId || info.lifecycleStage !== 'active') continue
        this.runDirs.set(info.runId, dir)
        runs.push(await this.getRun(info.runId))
      }
    }
    runs.sort((a, b) => b.info.startTime - a.info.startTime || (a.info.runId < b.info.runId ? -1 : 1))
    // MLflow's page token is base64 of {"offset": n}.
    const offset = options.pageToken === undefined ? 0 : decodeOffset(options.pageToken)
    const max = options.maxResults ?? 1000
    const items = runs.slice(offset, offset + max)
    const page: Page<Run> = { items }
    if (offset + max < runs.length)
      page.nextPageToken = Buffer.from(JSON.stringify({ offset: offset + max })).toString('base64')
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
    return downloadArtifacts(await this.runArtifacts(runId), artifactPath, destDir, `Run ${runId}`)
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

  /** Artifacts of a FileStore are read where they were written; nothing else has to see them. */
  async checkArtifactVisible(): Promise<void> {
    // Nothing to check.
  }

  private async runArtifacts(runId: string): Promise<ArtifactRepository> {
    return this.artifacts((await this.readRunInfo(await this.runDir(runId))).artifactUri)
  }

  private artifacts(uri: string): ArtifactRepository {
    return openArtifactRepository(uri, {
      s3: this.options.s3 ?? null,
      ...(this.options.resolveArtifactUri === undefined ? {} : { resolveLocal: this.options.resolveArtifactUri }),
    })
  }

  /** The local folder of a run's artifacts (for `file:` URIs or URIs the options can resolve). */
  async artifactRoot(runId: string): Promise<string> {
    const info = await this.readRunInfo(await this.runDir(runId))
    const local = this.localArtifactPath(info.artifactUri)
    if (local === undefined) {
      throw new WmsError(
        'tracking/unsupported',
        `Run ${runId} keeps its artifacts at ${info.artifactUri}, which this FileStore cannot reach.`,
      )
    }
    return local
  }

  private localArtifactPath(uri: string): string | undefined {
    return localPathOf(uri) ?? this.options.resolveArtifactUri?.(uri)
  }

  // ── locks ────────────────────────────────────────────────────────────────────────────────────────────────────

  tryLock(name: string, holder: LockHolder): Promise<LockAttempt> {
    return tryFileLock(this.lockFile(name), holder)
  }

  async breakLock(name: string): Promise<void> {
    await rm(this.lockFile(name), { force: true })
  }

  describeLock(name: string): string {
    return `the file ${this.lockFile(name)}`
  }

  // Under `.wms/locks/`, a folder MLflow ignores.
  private lockFile(name: string): string {
    return path.join(this.root, '.wms', 'locks', `${encodeURIComponent(name)}.lock`)
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────────────────────────

  /** The folder of a run (`<root>/<experiment>/<run>`); `tracking/not-found` when no experiment has it. */
  async runDir(runId: string): Promise<string> {
    if (!/^[a-zA-Z0-9][\w-]{0,255}$/.test(runId))
      throw new WmsError('tracking/not-found', `Run with id=${runId} not found`)
    const cached = this.runDirs.get(runId)
    if (cached !== undefined && (await exists(path.join(cached, 'meta.yaml')))) return cached
    for (const experimentId of await listDirs(this.root)) {
      if (RESERVED_DIRS.has(experimentId)) continue
      const dir = path.join(this.root, experimentId, runId)
      if (await exists(path.join(dir, 'meta.yaml'))) {
        this.runDirs.set(runId, dir)
        return dir
      }
    }
    throw new WmsError('tracking/not-found', `Run with id=${runId} not found`)
  }

  private async readRunInfo(dir: string): Promise<RunInfo> {
    const doc = await readMeta(path.join(dir, 'meta.yaml'))
    const info = doc === undefined ? undefined : safeRunInfo(doc)
    if (info === undefined)
      throw new WmsError('tracking/corrupt', `${path.join(dir, 'meta.yaml')} is not a valid run meta.yaml.`)
    return info
  }

  private async assertActive(dir: string, runId: string): Promise<void> {
    const info = await this.readRunInfo(dir)
    if (info.lifecycleStage !== 'active') {
      throw new WmsError(
        'tracking/invalid',
        `The run ${runId} must be in the 'active' state. Current state is deleted.`,
      )
    }
  }

  private async writeTag(dir: string, key: string, value: string): Promise<void> {
    if (value.length > MAX_TAG_VALUE_LENGTH) {
      throw new WmsError(
        'tracking/invalid',
        `Tag value for '${key}' exceeded length limit of ${String(MAX_TAG_VALUE_LENGTH)}`,
      )
    }
    await writeFileAtomic(keyPath(path.join(dir, 'tags'), key), value)
  }
}

function safeRunInfo(doc: Record<string, unknown>): RunInfo | undefined {
  try {
    return runInfoFromMeta(doc)
  } catch {
    return undefined
  }
}

function decodeOffset(token: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown }
    if (typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0) return parsed.offset
  } catch {
    // fall through
  }
  throw new WmsError('tracking/invalid', 'Invalid page token')
}

// MLflow's new experiment ids are random 18–19 digit integers.
function randomExperimentId(): string {
  const digits = BigInt(`0x${randomBytes(8).toString('hex')}`)
    .toString()
    .padStart(18, '0')
    .slice(0, 18)
  return `${String(1 + (Number(digits[0]) % 9))}${digits.slice(1)}`
}
