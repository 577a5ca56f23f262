import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { WmsError } from '@wms/shared/errors'
import { parseModelStage, type Metric, type RunInfo } from '@wms/shared/tracking/types'
import { MlflowFileStore } from '../../src/tracking/file-store/file-store.js'
import { handleArtifacts, HTML_405, listOnOwnDisk, proxiedLocal, sendError } from './mlflow-test-artifacts.js'
import { metricJson, modelJson, runInfoJson, runJson, tagList, versionJson } from './mlflow-test-json.js'

/**
 * An MLflow 2.9 REST test server (research/mlflow-observed.md), backed by our FileStore adapter in a temp folder.
 *
 * It reproduces what a client can observe: status codes and `{error_code, message}` bodies, string ids and
 * numeric timestamps, omitted empty fields, `"NaN"` metric values, Flask HTML 404/405 for unknown routes and
 * methods, 400 for a missing alias, the Content-Type check, proxied artifacts (`mlflow-artifacts:/…`).
 * Tests can require auth, inject faults (status, HTML, delays) and read the requests it received.
 */

/** A fault to inject on matching requests. */
export interface Fault {
  /** e.g. `GET registered-models/alias`; `*` matches every request. */
  route: string
  status?: number
  /** Raw body; default an HTML error page for 5xx. */
  body?: string
  contentType?: string
  delayMs?: number
  /** How many matching requests it affects (default every one). */
  times?: number
}

/** A request the server received. */
export interface RecordedRequest {
  method: string
  route: string
  query: Record<string, string | string[]>
  body: unknown
  authorization: string | undefined
}

/**
 * How the server keeps artifacts, like `mlflow server`'s flags. By default it proxies them (`--serve-artifacts`,
 * experiments at `mlflow-artifacts:/<id>`). With `defaultArtifactRoot` (`file:///…` or `s3://bucket/prefix`) the
 * experiments point there and clients write artifacts themselves, as MLflow's clients do; the server only lists and
 * serves them when it can reach them (a `file:` root on its own disk; never S3 here: it has no credentials).
 */
export interface MlflowTestServerOptions {
  defaultArtifactRoot?: string
  /** `--serve-artifacts` (default true); with false the `mlflow-artifacts` routes answer 503 as MLflow does. */
  serveArtifacts?: boolean
  /**
   * The server runs on another machine: it reads `file:` artifact roots from this folder (as its own disk), not from
   * the paths clients wrote to — so it does not see what they wrote.
   */
  serverDisk?: string
  /** Serve HTTPS with this key and certificate (PEM), as behind a TLS-terminating proxy. */
  tls?: { key: string; cert: string }
}

/** A fault with MLflow's JSON error body (`{error_code, message}`), as a failing MLflow server sends it. */
export function jsonFault(
  route: string,
  status: number,
  errorCode: string,
  message: string,
  extra: Omit<Fault, 'route' | 'status' | 'body' | 'contentType'> = {},
): Fault {
  return {
    route,
    status,
    body: JSON.stringify({ error_code: errorCode, message }),
    contentType: 'application/json',
    ...extra,
  }
}

/** A running test server. */
export interface MlflowTestServer {
  url: string
  store: MlflowFileStore
  requests: RecordedRequest[]
  faults: Fault[]
  /** Require this exact `Authorization` header (else 401). */
  requireAuthorization: string | undefined
  close(): Promise<void>
}

type Handler = (request: ParsedRequest) => Promise<unknown>

interface ParsedRequest {
  method: string
  route: string
  query: URLSearchParams
  body: Record<string, unknown>
  raw: Buffer
}

class HttpAnswer extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message)
  }
}

const HTML_404 =
  '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n'
/** Starts a server on 127.0.0.1 (random port) storing everything under `dir`. */
export async function startMlflowTestServer(
  dir: string,
  options: MlflowTestServerOptions = {},
): Promise<MlflowTestServer> {
  const artifactsDir = path.join(dir, 'artifacts')
  const serveArtifacts = options.serveArtifacts ?? true
  const store = new MlflowFileStore(path.join(dir, 'mlruns'), {
    defaultArtifactRoot: options.defaultArtifactRoot ?? 'mlflow-artifacts:',
    resolveArtifactUri: (uri) => proxiedLocal(artifactsDir, uri),
    // The server reads a file: root from its own disk; it has no S3 credentials (`artifacts/list` then fails).
    s3: null,
  })
  const routes = buildRoutes(store, options.serverDisk)
  const state: MlflowTestServer = {
    url: '',
    store,
    requests: [],
    faults: [],
    requireAuthorization: undefined,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    void handle(req, res, routes, state, serveArtifacts ? artifactsDir : undefined)
  }
  const server: Server = options.tls === undefined ? createServer(listener) : createHttpsServer(options.tls, listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const scheme = options.tls === undefined ? 'http' : 'https'
  state.url = `${scheme}://127.0.0.1:${String((server.address() as AddressInfo).port)}`
  return state
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  routes: Map<string, Map<string, Handler>>,
  state: MlflowTestServer,
  artifactsDir: string | undefined,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x')
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const raw = Buffer.concat(chunks)
  const method = req.method ?? 'GET'
  const route = url.pathname.replace(/^\/api\/2\.0\/mlflow\//, '').replace(/^\/api\/2\.0\//, '')
  const query: Record<string, string | string[]> = {}
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key)
    query[key] = values.length === 1 ? (values[0] ?? '') : values
  }
  const recorded: RecordedRequest = { method, route, query, body: undefined, authorization: req.headers.authorization }
  state.requests.push(recorded)

  const fault = state.faults.find((candidate) => candidate.route === '*' || candidate.route === `${method} ${route}`)
  if (fault !== undefined) {
    if (fault.times !== undefined) {
      fault.times -= 1
      if (fault.times <= 0) state.faults.splice(state.faults.indexOf(fault), 1)
    }
    if (fault.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, fault.delayMs))
    if (fault.status !== undefined) {
      const body = fault.body ?? `<html><body><h1>${String(fault.status)}</h1></body></html>`
      res.writeHead(fault.status, { 'Content-Type': fault.contentType ?? 'text/html; charset=utf-8' }).end(body)
      return
    }
  }
  if (state.requireAuthorization !== undefined && req.headers.authorization !== state.requireAuthorization) {
    res
      .writeHead(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Basic realm="mlflow"' })
      .end('You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/index.html')
    return
  }

  // Proxied artifacts: /api/2.0/mlflow-artifacts/artifacts[/<path>]
  if (route === 'mlflow-artifacts/artifacts' || route.startsWith('mlflow-artifacts/artifacts/')) {
    if (artifactsDir === undefined) {
      res
        .writeHead(503, { 'Content-Type': 'text/html; charset=utf-8' })
        .end(
          `Endpoint: ${url.pathname} disabled due to the mlflow server running with \`--no-serve-artifacts\`. To enable artifacts server functionality, run \`mlflow server\` with \`--serve-artifacts\``,
        )
      return
    }
    await handleArtifacts(
      method,
      decodeURIComponent(route.slice('mlflow-artifacts/artifacts'.length).replace(/^\//, '')),
      url.searchParams,
      raw,
      res,
      artifactsDir,
    )
    return
  }
  const byMethod =
    url.pathname === '/get-artifact'
      ? routes.get('/get-artifact')
      : url.pathname.startsWith('/api/2.0/mlflow/')
        ? routes.get(route)
        : undefined
  if (byMethod === undefined) {
    res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' }).end(HTML_404)
    return
  }
  const handler = byMethod.get(method)
  if (handler === undefined) {
    res
      .writeHead(405, { 'Content-Type': 'text/html; charset=utf-8', Allow: [...byMethod.keys()].join(', ') })
      .end(HTML_405)
    return
  }
  let body: Record<string, unknown> = {}
  if (method !== 'GET') {
    const contentType = req.headers['content-type'] ?? ''
    if (!contentType.startsWith('application/json')) {
      sendError(res, 400, 'BAD_REQUEST', "Bad Request. Content-Type must be one of ['application/json'].")
      return
    }
    try {
      // Malformed JSON is read as an empty body, as in MLflow.
      const parsed: unknown = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'))
      if (parsed !== null && typeof parsed === 'object') body = parsed as Record<string, unknown>
    } catch {
      body = {}
    }
  }
  recorded.body = body
  try {
    const result = await handler({ method, route, query: url.searchParams, body, raw })
    if (result instanceof Buffer) {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(result)
      return
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(result ?? {}))
  } catch (thrown) {
    if (thrown instanceof HttpAnswer) sendError(res, thrown.status, thrown.errorCode, thrown.message)
    else if (thrown instanceof WmsError) sendWmsError(res, thrown)
    else sendError(res, 500, 'INTERNAL_ERROR', (thrown as Error).message)
  }
}

function sendWmsError(res: ServerResponse, error: WmsError): void {
  if (error.code === 'tracking/not-found') sendError(res, 404, 'RESOURCE_DOES_NOT_EXIST', error.message)
  else if (error.code === 'tracking/already-exists') sendError(res, 400, 'RESOURCE_ALREADY_EXISTS', error.message)
  else if (error.code === 'tracking/invalid') sendError(res, 400, 'INVALID_PARAMETER_VALUE', error.message)
  else sendError(res, 500, 'INTERNAL_ERROR', error.message)
}

// ── routes ────────────────────────────────────────────────────────────────────────────────────────────────────

function required(source: Record<string, unknown> | URLSearchParams, key: string): string {
  const value = source instanceof URLSearchParams ? source.get(key) : source[key]
  if (value === undefined || value === null || value === '') {
    throw new HttpAnswer(
      400,
      'INVALID_PARAMETER_VALUE',
      `Missing value for required parameter '${key}'. See the API docs for more information about request parameters.`,
    )
  }
  return text(value)
}

function tagsFrom(value: unknown): Record<string, string> {
  if (!Array.isArray(value)) return {}
  return Object.fromEntries(
    (value as { key?: unknown; value?: unknown }[]).map((tag) => [text(tag.key), text(tag.value)]),
  )
}

function metricFrom(value: Record<string, unknown>): Metric {
  const raw = value.value
  const number = raw === 'NaN' ? NaN : raw === 'Infinity' ? Infinity : raw === '-Infinity' ? -Infinity : Number(raw)
  if (value.timestamp === undefined) {
    throw new HttpAnswer(400, 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'timestamp'.")
  }
  return { key: String(value.key), value: number, timestamp: Number(value.timestamp), step: Number(value.step ?? 0) }
}

function buildRoutes(store: MlflowFileStore, serverDisk: string | undefined): Map<string, Map<string, Handler>> {
  const routes = new Map<string, Map<string, Handler>>()
  const add = (methods: string[], route: string, handler: Handler): void => {
    const byMethod = routes.get(route) ?? new Map<string, Handler>()
    for (const method of methods) byMethod.set(method, handler)
    routes.set(route, byMethod)
  }
  const latestOf = async (name: string) => store.getLatestVersions(name).catch(() => [])

  add(['POST'], 'experiments/create', async ({ body }) => ({
    experiment_id: await store.createExperiment(required(body, 'name'), tagsFrom(body.tags)),
  }))
  add(['GET'], 'experiments/get-by-name', async ({ query }) => {
    const name = required(query, 'experiment_name')
    const experiment = await store.getExperimentByName(name)
    if (experiment === undefined)
      throw new HttpAnswer(404, 'RESOURCE_DOES_NOT_EXIST', `Could not find experiment with name '${name}'`)
    return {
      experiment: {
        experiment_id: experiment.experimentId,
        name: experiment.name,
        artifact_location: experiment.artifactLocation,
        lifecycle_stage: experiment.lifecycleStage,
        last_update_time: experiment.lastUpdateTime,
        creation_time: experiment.creationTime,
        ...(tagList(experiment.tags) === undefined ? {} : { tags: tagList(experiment.tags) }),
      },
    }
  })
  add(['POST'], 'runs/create', async ({ body }) => {
    const info = await store.createRun({
      experimentId: text(body.experiment_id ?? '0'),
      ...(typeof body.run_name === 'string' ? { runName: body.run_name } : {}),
      ...(body.start_time === undefined ? {} : { startTime: Number(body.start_time) }),
      tags: tagsFrom(body.tags),
    })
    return { run: runJson(await store.getRun(info.runId)) }
  })
  add(['GET'], 'runs/get', async ({ query }) => ({ run: runJson(await store.getRun(required(query, 'run_id'))) }))
  add(['POST'], 'runs/log-batch', async ({ body }) => {
    const runId = required(body, 'run_id')
    const metrics = Array.isArray(body.metrics) ? (body.metrics as Record<string, unknown>[]).map(metricFrom) : []
    const paramsAndTags =
      (Array.isArray(body.params) ? body.params.length : 0) + (Array.isArray(body.tags) ? body.tags.length : 0)
    if (metrics.length > 1000 || paramsAndTags > 100) {
      throw new HttpAnswer(
        400,
        'INVALID_PARAMETER_VALUE',
        'A batch logging request can contain at most 1000 metrics and 100 params and tags.',
      )
    }
    await store.logBatch(runId, { metrics, params: tagsFrom(body.params), tags: tagsFrom(body.tags) })
    return {}
  })
  add(['POST'], 'runs/log-metric', async ({ body }) => {
    await store.logBatch(required(body, 'run_id'), { metrics: [metricFrom(body)] })
    return {}
  })
  add(['POST'], 'runs/log-parameter', async ({ body }) => {
    await store.logBatch(required(body, 'run_id'), { params: { [required(body, 'key')]: text(body.value) } })
    return {}
  })
  add(['POST'], 'runs/set-tag', async ({ body }) => {
    await store.setRunTag(required(body, 'run_id'), required(body, 'key'), text(body.value))
    return {}
  })
  add(['POST'], 'runs/update', async ({ body }) => {
    const status =
      typeof body.status === 'string' && ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'].includes(body.status)
        ? body.status
        : undefined
    const info = await store.updateRun(required(body, 'run_id'), {
      ...(status === undefined ? {} : { status: status as RunInfo['status'] }),
      ...(body.end_time === undefined ? {} : { endTime: Number(body.end_time) }),
      ...(typeof body.run_name === 'string' ? { runName: body.run_name } : {}),
    })
    return { run_info: runInfoJson(info) }
  })
  add(['POST'], 'runs/search', async ({ body }) => {
    const page = await store.searchRuns({
      experimentIds: Array.isArray(body.experiment_ids) ? body.experiment_ids.map(String) : [],
      maxResults: Number(body.max_results ?? 1000),
      ...(typeof body.page_token === 'string' ? { pageToken: body.page_token } : {}),
    })
    return {
      ...(page.items.length === 0 ? {} : { runs: page.items.map(runJson) }),
      ...(page.nextPageToken === undefined ? {} : { next_page_token: page.nextPageToken }),
    }
  })
  add(['GET'], 'metrics/get-history', async ({ query }) => {
    const metrics = await store.getMetricHistory(required(query, 'run_id'), required(query, 'metric_key'))
    return metrics.length === 0 ? {} : { metrics: metrics.map(metricJson) }
  })
  add(['GET'], 'artifacts/list', async ({ query }) => {
    const runId = required(query, 'run_id')
    const run = await store.getRun(runId)
    const files =
      serverDisk !== undefined && run.info.artifactUri.startsWith('file:')
        ? await listOnOwnDisk(serverDisk, run.info.artifactUri, query.get('path') ?? '')
        : await store.listArtifacts(runId, query.get('path') ?? '')
    return {
      root_uri: run.info.artifactUri,
      ...(files.length === 0
        ? {}
        : {
            files: files.map((file) => ({
              path: file.path,
              is_dir: file.isDir,
              ...(file.isDir ? {} : { file_size: file.fileSize }),
            })),
          }),
    }
  })
  add(['GET'], '/get-artifact', async ({ query }) => {
    const root = await store.artifactRoot(required(query, 'run_id'))
    return readFile(path.join(root, ...required(query, 'path').split('/')))
  })
  add(['POST'], 'registered-models/create', async ({ body }) => {
    const model = await store.createRegisteredModel(required(body, 'name'), {
      ...(typeof body.description === 'string' ? { description: body.description } : {}),
      tags: tagsFrom(body.tags),
    })
    return { registered_model: modelJson(model, []) }
  })
  add(['GET'], 'registered-models/get', async ({ query }) => {
    const name = required(query, 'name')
    const model = await store.getRegisteredModel(name)
    if (model === undefined)
      throw new HttpAnswer(404, 'RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${name} not found`)
    return { registered_model: modelJson(model, await latestOf(name)) }
  })
  const latest: Handler = async ({ body, query, method }) => {
    const name = method === 'GET' ? required(query, 'name') : required(body, 'name')
    const stagesRaw =
      method === 'GET' ? query.getAll('stages') : Array.isArray(body.stages) ? body.stages.map(String) : []
    const stages = stagesRaw.map((stage) => {
      const parsed = parseModelStage(stage)
      if (parsed === undefined)
        throw new HttpAnswer(
          400,
          'INVALID_PARAMETER_VALUE',
          `Invalid Model Version stage: ${stage}. Value must be one of None, Staging, Production, Archived.`,
        )
      return parsed
    })
    const versions = await store.getLatestVersions(name, stages.length === 0 ? undefined : stages)
    return versions.length === 0 ? {} : { model_versions: versions.map((version) => versionJson(version, false)) }
  }
  add(['GET', 'POST'], 'registered-models/get-latest-versions', latest)
  add(['GET'], 'registered-models/alias', async ({ query }) => {
    const name = required(query, 'name')
    const alias = required(query, 'alias')
    const version = await store.getModelVersionByAlias(name, alias)
    if (version === undefined)
      throw new HttpAnswer(400, 'INVALID_PARAMETER_VALUE', `Registered model alias ${alias} not found.`)
    return { model_version: versionJson(version, true) }
  })
  add(['POST'], 'registered-models/alias', async ({ body }) => {
    await store.setRegisteredModelAlias(required(body, 'name'), required(body, 'alias'), required(body, 'version'))
    return {}
  })
  add(['DELETE'], 'registered-models/delete', async ({ body }) => {
    await store.deleteRegisteredModel(required(body, 'name'))
    return {}
  })
  add(['DELETE'], 'registered-models/alias', async ({ body }) => {
    await store.deleteRegisteredModelAlias(required(body, 'name'), required(body, 'alias'))
    return {}
  })
  add(['POST'], 'model-versions/create', async ({ body }) => {
    const source = required(body, 'source')
    // MLflow accepts a local source (a path or file: URI) only inside the artifact folder of the run it names.
    const local = source.startsWith('file:')
      ? fileURLToPath(source)
      : /^[a-z][\w+.-]*:/.test(source)
        ? undefined
        : source
    if (local !== undefined) {
      const runId = typeof body.run_id === 'string' ? body.run_id : undefined
      const root = runId === undefined ? undefined : (await store.getRun(runId)).info.artifactUri
      const rootPath = root === undefined ? undefined : root.startsWith('file:') ? fileURLToPath(root) : root
      const inside =
        rootPath !== undefined && (path.resolve(local) + path.sep).startsWith(path.resolve(rootPath) + path.sep)
      if (!inside) {
        throw new HttpAnswer(
          400,
          'INVALID_PARAMETER_VALUE',
          `Invalid model version source: '${source}'. To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id.`,
        )
      }
    }
    const version = await store.createModelVersion({
      name: required(body, 'name'),
      source,
      ...(typeof body.run_id === 'string' ? { runId: body.run_id } : {}),
      ...(typeof body.description === 'string' ? { description: body.description } : {}),
      tags: tagsFrom(body.tags),
    })
    return { model_version: versionJson(version, false) }
  })
  add(['GET'], 'model-versions/get', async ({ query }) => ({
    model_version: versionJson(await store.getModelVersion(required(query, 'name'), required(query, 'version')), true),
  }))
  add(['GET'], 'model-versions/search', async ({ query }) => {
    const filter = query.get('filter') ?? ''
    const name = /name\s*=\s*'([^']*)'/.exec(filter)?.[1]
    const runId = /run_id\s*=\s*'([^']*)'/.exec(filter)?.[1]
    if (name === undefined) return {}
    const versions = await store.searchModelVersions(name, runId === undefined ? {} : { runId })
    return versions.length === 0 ? {} : { model_versions: versions.map((version) => versionJson(version, false)) }
  })
  add(['POST'], 'model-versions/set-tag', async ({ body }) => {
    await store.setModelVersionTag(
      required(body, 'name'),
      required(body, 'version'),
      required(body, 'key'),
      text(body.value),
    )
    return {}
  })
  add(['POST'], 'model-versions/transition-stage', async ({ body }) => {
    const stageText = required(body, 'stage')
    const stage = parseModelStage(stageText)
    if (stage === undefined)
      throw new HttpAnswer(
        400,
        'INVALID_PARAMETER_VALUE',
        `Invalid Model Version stage: ${stageText}. Value must be one of None, Staging, Production, Archived.`,
      )
    const version = await store.transitionModelVersionStage(
      required(body, 'name'),
      required(body, 'version'),
      stage,
      body.archive_existing_versions === true,
    )
    return { model_version: versionJson(version, false) }
  })
  add(['GET'], 'model-versions/get-download-uri', async ({ query }) => ({
    artifact_uri: await store.getModelVersionDownloadUri(required(query, 'name'), required(query, 'version')),
  }))
  return routes
}

function text(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return ''
}
