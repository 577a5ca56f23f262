import { readFileSync } from 'node:fs'
import { Agent, fetch as undiciFetch } from 'undici'
import { WmsError, type ErrorCode } from '@wms/shared/errors'

/**
 * The one choke point for MLflow's REST API: every request goes through {@link MlflowHttp.request}, which adds auth,
 * applies a timeout, retries idempotent calls with backoff, and maps MLflow's answers to typed errors — JSON
 * `{error_code, message}` bodies, Flask's HTML 404/405 for unknown routes, auth failures, network errors.
 *
 * Credentials never appear in messages: the display URL has no user info, and headers are never logged.
 */

/** How to authenticate to the tracking server. */
export type MlflowAuth = { kind: 'bearer'; token: string } | { kind: 'basic'; username: string; password: string }

/** Options of {@link MlflowHttp}. */
export interface MlflowHttpOptions {
  /** `http(s)://host[:port][/prefix]`; user info in the URL is used as basic auth and removed. */
  uri: string
  auth?: MlflowAuth
  /** Per-attempt timeout (default 30 s; MLflow's `MLFLOW_HTTP_REQUEST_TIMEOUT` sets it from the environment). */
  timeoutMs?: number
  /** Extra attempts for idempotent calls (default 4). */
  retries?: number
  /** First backoff delay, doubled each attempt with jitter (default 500 ms, at most 10 s). */
  backoffMs?: number
  /**
   * TLS for `https://` servers: `insecure` skips certificate checks (MLflow's `MLFLOW_TRACKING_INSECURE_TLS`), `ca`
   * trusts a CA bundle in PEM (`MLFLOW_TRACKING_SERVER_CERT_PATH`).
   */
  tls?: { insecure?: boolean; ca?: string }
  fetch?: FetchLike
  sleep?: (ms: number) => Promise<void>
}

/** What this transport needs of an HTTP answer (Node's fetch and undici's both give it). */
export interface HttpAnswer {
  ok: boolean
  status: number
  headers: { get(name: string): string | null }
  text(): Promise<string>
  arrayBuffer(): Promise<ArrayBuffer>
}

/** A `fetch` for one URL string. */
export type FetchLike = (url: string, init: RequestInit) => Promise<HttpAnswer>

/** One request. */
export interface MlflowRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT'
  /** Path after the base URL, e.g. `/api/2.0/mlflow/runs/get`. */
  path: string
  query?: Record<string, string | string[] | undefined>
  /** JSON body. */
  json?: unknown
  /** Raw body (artifact upload). */
  body?: Uint8Array
  /** Safe to retry: reads, and writes whose repetition changes nothing. */
  idempotent: boolean
}

/** Credentials from MLflow's own environment variables: `MLFLOW_TRACKING_TOKEN`, else username + password. */
export function authFromEnv(env: NodeJS.ProcessEnv): MlflowAuth | undefined {
  const token = env.MLFLOW_TRACKING_TOKEN
  if (token !== undefined && token !== '') return { kind: 'bearer', token }
  const username = env.MLFLOW_TRACKING_USERNAME
  const password = env.MLFLOW_TRACKING_PASSWORD
  if (username !== undefined && username !== '' && password !== undefined) return { kind: 'basic', username, password }
  return undefined
}

/**
 * Timeout, retry and TLS settings from MLflow's environment variables, when set: `MLFLOW_HTTP_REQUEST_TIMEOUT`,
 * `MLFLOW_HTTP_REQUEST_MAX_RETRIES`, `MLFLOW_TRACKING_INSECURE_TLS`, `MLFLOW_TRACKING_SERVER_CERT_PATH`.
 */
export function httpSettingsFromEnv(env: NodeJS.ProcessEnv): Pick<MlflowHttpOptions, 'timeoutMs' | 'retries' | 'tls'> {
  const settings: Pick<MlflowHttpOptions, 'timeoutMs' | 'retries' | 'tls'> = {}
  const insecure = /^(1|true|yes)$/i.test(env.MLFLOW_TRACKING_INSECURE_TLS ?? '')
  const caFile = env.MLFLOW_TRACKING_SERVER_CERT_PATH
  if (insecure && caFile !== undefined && caFile !== '') {
    throw new WmsError(
      'tracking/invalid',
      'MLFLOW_TRACKING_INSECURE_TLS and MLFLOW_TRACKING_SERVER_CERT_PATH are both set.',
      { hint: 'Set only one: the CA bundle to trust, or (for testing only) skip certificate checks.' },
    )
  }
  if (insecure) settings.tls = { insecure: true }
  else if (caFile !== undefined && caFile !== '') settings.tls = { ca: readCaBundle(caFile) }
  const timeout = Number(env.MLFLOW_HTTP_REQUEST_TIMEOUT)
  if (Number.isFinite(timeout) && timeout > 0) settings.timeoutMs = timeout * 1000
  const retries = Number(env.MLFLOW_HTTP_REQUEST_MAX_RETRIES)
  if (env.MLFLOW_HTTP_REQUEST_MAX_RETRIES !== undefined && Number.isInteger(retries) && retries >= 0) {
    settings.retries = retries
  }
  return settings
}

function readCaBundle(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (thrown) {
    throw new WmsError(
      'tracking/invalid',
      `MLFLOW_TRACKING_SERVER_CERT_PATH names ${file}, which cannot be read: ${(thrown as Error).message}`,
      { hint: 'Point it at the PEM file of the CA that signed the MLflow server’s certificate.' },
    )
  }
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504])

/** The HTTP transport to one MLflow server. */
export class MlflowHttp {
  /** The server URL without credentials, for messages. */
  readonly display: string
  private readonly base: string
  private readonly authHeader: string | undefined
  private readonly options: Required<Pick<MlflowHttpOptions, 'timeoutMs' | 'retries' | 'backoffMs'>>
  private readonly fetchImpl: FetchLike
  private readonly sleep: (ms: number) => Promise<void>

  constructor(options: MlflowHttpOptions) {
    let url: URL
    try {
      url = new URL(options.uri)
    } catch {
      throw new WmsError('tracking/invalid', `The tracking URI is not a valid URL.`, {
        hint: 'Set tracking.uri in wms.config.json to http(s)://host:port or file:<dir>.',
      })
    }
    let auth = options.auth
    if (url.username !== '' && auth === undefined) {
      auth = { kind: 'basic', username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
    }
    url.username = ''
    url.password = ''
    this.base = url.href.replace(/\/+$/, '')
    this.display = this.base
    this.authHeader =
      auth === undefined
        ? undefined
        : auth.kind === 'bearer'
          ? `Bearer ${auth.token}`
          : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`
    this.options = {
      timeoutMs: options.timeoutMs ?? 30_000,
      retries: options.retries ?? 4,
      backoffMs: options.backoffMs ?? 500,
    }
    this.fetchImpl = options.fetch ?? tlsFetch(options.tls)
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)))
  }

  /** Sends a request and parses the JSON answer (`{}` for an empty body). */
  async json<T = Record<string, unknown>>(request: MlflowRequest): Promise<T> {
    const response = await this.send(request)
    const text = await response.text()
    if (text.trim() === '') return {} as T
    try {
      return JSON.parse(text) as T
    } catch {
      throw new WmsError(
        'tracking/corrupt',
        `${this.describe(request)}: the server answered with something that is not JSON.`,
      )
    }
  }

  /** Sends a request and returns the body bytes (artifact download). */
  async bytes(request: MlflowRequest): Promise<Uint8Array> {
    const response = await this.send(request)
    return new Uint8Array(await response.arrayBuffer())
  }

  private async send(request: MlflowRequest): Promise<HttpAnswer> {
    const attempts = request.idempotent ? this.options.retries + 1 : 1
    let last: WmsError | undefined
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      const outcome = await this.attempt(request)
      if ('response' in outcome) return outcome.response
      last = outcome.error
      if (!outcome.retry || attempt === attempts) break
      const backoff = Math.min(10_000, this.options.backoffMs * 2 ** (attempt - 1))
      await this.sleep(outcome.retryAfterMs ?? backoff * (0.5 + Math.random() / 2))
    }
    throw last ?? new WmsError('tracking/unavailable', `${this.describe(request)} failed.`)
  }

  private async attempt(
    request: MlflowRequest,
  ): Promise<{ response: HttpAnswer } | { error: WmsError; retry: boolean; retryAfterMs?: number }> {
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (this.authHeader !== undefined) headers.Authorization = this.authHeader
    let body: string | Uint8Array | undefined
    if (request.json !== undefined) {
      headers['Content-Type'] = 'application/json'
      body = JSON.stringify(request.json)
    } else if (request.body !== undefined) {
      headers['Content-Type'] = 'application/octet-stream'
      body = request.body
    }
    let response: HttpAnswer
    try {
      response = await this.fetchImpl(this.url(request), {
        method: request.method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
        redirect: 'error',
      })
    } catch (thrown) {
      const certificate = certificateProblem(thrown)
      if (certificate !== undefined) {
        return {
          retry: false,
          error: new WmsError(
            'tracking/unavailable',
            `${this.describe(request)}: the server's TLS certificate is not trusted (${certificate}).`,
            {
              hint: 'Set MLFLOW_TRACKING_SERVER_CERT_PATH to the CA bundle that signed it, or MLFLOW_TRACKING_INSECURE_TLS=true to skip the check (testing only).',
              cause: thrown,
            },
          ),
        }
      }
      const timedOut = (thrown as Error).name === 'TimeoutError' || (thrown as Error).name === 'AbortError'
      const reason = timedOut ? `no answer within ${String(this.options.timeoutMs / 1000)} s` : networkReason(thrown)
      return {
        retry: true,
        error: new WmsError('tracking/unavailable', `${this.describe(request)}: ${reason}.`, {
          hint: `Check that the MLflow server at ${this.display} is running and reachable, then try again.`,
          retryable: true,
          cause: thrown,
        }),
      }
    }
    if (response.ok) return { response }
    const text = await response.text().catch(() => '')
    const error = this.toError(request, response.status, response.headers.get('content-type') ?? '', text)
    const retryAfter = Number(response.headers.get('retry-after'))
    const retry = error.retryable === true && (RETRYABLE_STATUS.has(response.status) || !isJson(text))
    return Number.isFinite(retryAfter) && retryAfter > 0
      ? { error, retry, retryAfterMs: Math.min(retryAfter, 30) * 1000 }
      : { error, retry }
  }

  /** Maps an MLflow error answer to a typed error (the only place that does). */
  toError(request: MlflowRequest, status: number, contentType: string, text: string): WmsError {
    const where = this.describe(request)
    const parsed = parseErrorBody(text)
    if (
      status === 401 ||
      status === 403 ||
      parsed?.code === 'PERMISSION_DENIED' ||
      parsed?.code === 'UNAUTHENTICATED'
    ) {
      return new WmsError(
        'tracking/auth-failed',
        `${where}: the server refused the credentials (HTTP ${String(status)}).`,
        {
          hint: 'Set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, for this server.',
          details: { status, ...(parsed === undefined ? {} : { errorCode: parsed.code }) },
        },
      )
    }
    if (parsed !== undefined) {
      const code = MLFLOW_CODES[parsed.code] ?? (status >= 500 ? 'tracking/unavailable' : 'tracking/invalid')
      const retryable = code === 'tracking/unavailable'
      return new WmsError(code, `${where}: ${parsed.message}`, {
        ...(retryable
          ? { retryable, hint: `The MLflow server at ${this.display} reported an error; try again later.` }
          : {}),
        details: { status, errorCode: parsed.code },
      })
    }
    if ((status === 404 || status === 405) && !contentType.includes('json')) {
      return new WmsError(
        'tracking/unsupported',
        `${where}: the server has no such endpoint (HTTP ${String(status)}, not an MLflow JSON answer).`,
        {
          hint: `Check that ${this.display} is an MLflow tracking server (2.9 or newer, started with --serve-artifacts for artifacts).`,
          details: { status },
        },
      )
    }
    if (status >= 500 || status === 429) {
      return new WmsError('tracking/unavailable', `${where}: the server answered HTTP ${String(status)}.`, {
        hint: `The MLflow server at ${this.display} is overloaded or failing; try again later.`,
        retryable: true,
        details: { status },
      })
    }
    return new WmsError('tracking/invalid', `${where}: the server answered HTTP ${String(status)}.`, {
      details: { status },
    })
  }

  private url(request: MlflowRequest): string {
    const url = new URL(`${this.base}${request.path}`)
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value === undefined) continue
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(key, item)
    }
    return url.href
  }

  private describe(request: MlflowRequest): string {
    return `MLflow ${request.method} ${request.path.replace(/^\/api\/2\.0\//, '')}`
  }
}

const MLFLOW_CODES: Record<string, ErrorCode> = {
  RESOURCE_DOES_NOT_EXIST: 'tracking/not-found',
  NOT_FOUND: 'tracking/not-found',
  ENDPOINT_NOT_FOUND: 'tracking/unsupported',
  RESOURCE_ALREADY_EXISTS: 'tracking/already-exists',
  INVALID_PARAMETER_VALUE: 'tracking/invalid',
  BAD_REQUEST: 'tracking/invalid',
  INVALID_STATE: 'tracking/invalid',
  RESOURCE_LIMIT_EXCEEDED: 'tracking/invalid',
  INTERNAL_ERROR: 'tracking/unavailable',
  TEMPORARILY_UNAVAILABLE: 'tracking/unavailable',
  REQUEST_LIMIT_EXCEEDED: 'tracking/unavailable',
}

function parseErrorBody(text: string): { code: string; message: string } | undefined {
  if (!isJson(text)) return undefined
  try {
    const json = JSON.parse(text) as { error_code?: unknown; message?: unknown }
    if (typeof json.error_code !== 'string') return undefined
    return {
      code: json.error_code,
      message: typeof json.message === 'string' ? firstSentence(json.message) : json.error_code,
    }
  } catch {
    return undefined
  }
}

// MLflow appends SQL stack details ("Error: (sqlite3.IntegrityError) …"); keep the readable part.
function firstSentence(message: string): string {
  const cut = message.indexOf(' Error: (')
  return (cut > 0 ? message.slice(0, cut) : message).trim()
}

function isJson(text: string): boolean {
  return text.trimStart().startsWith('{')
}

const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

function certificateProblem(thrown: unknown): string | undefined {
  const cause = (thrown as { cause?: { code?: string; message?: string } }).cause
  return cause?.code !== undefined && CERTIFICATE_CODES.has(cause.code) ? (cause.message ?? cause.code) : undefined
}

// Node's built-in fetch takes no TLS options; undici (the same HTTP client, as a package) does, per dispatcher.
function tlsFetch(tls: MlflowHttpOptions['tls']): FetchLike {
  if (tls?.insecure !== true && tls?.ca === undefined) return (url, init) => fetch(url, init)
  const dispatcher = new Agent({
    connect: tls.insecure === true ? { rejectUnauthorized: false } : { ca: tls.ca },
  })
  // undici's request options are its own type (with `dispatcher`); the fields we set mean the same.
  return (url, init) => undiciFetch(url, { ...(init as NonNullable<Parameters<typeof undiciFetch>[1]>), dispatcher })
}

function networkReason(thrown: unknown): string {
  const cause = (thrown as { cause?: { code?: string; message?: string } }).cause
  if (cause?.code === 'ECONNREFUSED') return 'connection refused'
  if (cause?.code === 'ENOTFOUND') return 'host not found'
  if (cause?.code === 'ECONNRESET') return 'connection reset'
  return cause?.message ?? (thrown as Error).message
}
