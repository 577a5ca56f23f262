import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { FakeRepository, type FakeRepositoryOptions, type HandlerAnswer } from './fake-repository.js'
import { OpenApiDocument } from './openapi-document.js'

/**
 * A local GitHub API for tests, on loopback. Every request is matched to an operation of GitHub's OpenAPI
 * description (the committed subset) and validated — path, query, body, unknown fields — and so is every answer
 * before it goes out. An unknown path, a missing required field or an off-schema answer is a violation: the client
 * gets an error (404 / 422 / 500) and `assertNoViolations()` fails the test. Behind it a {@link FakeRepository}
 * keeps pull requests, comments, statuses, workflow runs and refs (optionally in a real bare git repository).
 * It also speaks GitHub's rules a client must cope with: ETags and free 304s, rate-limit headers, token
 * permissions (403 with `x-accepted-github-permissions`), injected faults (rate limits, 5xx).
 */

/** A request as the server saw it. */
export interface SeenRequest {
  method: string
  path: string
  operationId: string
  status: number
  /** Answered 304 (did not count against the rate limit). */
  notModified: boolean
  body: unknown
}

/** A fault answered instead of the operation (then the operation runs normally again). */
export interface Fault {
  /** `pulls/create`, or `*` for any. */
  operationId: string
  status: number
  headers?: Record<string, string>
  body?: unknown
  /** How many requests it answers (default 1). */
  times?: number
}

/** A GitHub App permission level per permission name, e.g. `{ pull_requests: 'write' }`. */
export type Permissions = Record<string, 'read' | 'write'>

/** Options of {@link startGitHubTestServer}. */
export interface GitHubTestServerOptions extends FakeRepositoryOptions {
  /** Tokens and what each may do (default: `test-token` with every permission). */
  tokens?: Record<string, Permissions>
  /** Primary rate limit per window (default 5000). */
  rateLimit?: number
}

/** See the module comment. */
export interface GitHubTestServer {
  url: string
  repository: FakeRepository
  requests: SeenRequest[]
  violations: string[]
  /** The description's version (the `@octokit/openapi` release the subset came from). */
  descriptionVersion: string
  inject: (fault: Fault) => void
  /** Throws when any request or answer broke GitHub's description. */
  assertNoViolations: () => void
  /** Requests that counted against the rate limit. */
  countedRequests: () => number
  close: () => Promise<void>
}

export const TEST_TOKEN = 'test-token'

const ALL_PERMISSIONS: Permissions = {
  actions: 'read',
  checks: 'read',
  contents: 'write',
  issues: 'write',
  pull_requests: 'write',
  statuses: 'write',
}

/** The permission each operation needs (GitHub's `x-accepted-github-permissions` for it). */
const NEEDS: Record<string, [string, 'read' | 'write']> = {
  'pulls/list': ['pull_requests', 'read'],
  'pulls/get': ['pull_requests', 'read'],
  'pulls/create': ['pull_requests', 'write'],
  'pulls/update': ['pull_requests', 'write'],
  'pulls/merge': ['contents', 'write'],
  'issues/add-labels': ['pull_requests', 'write'],
  'repos/create-commit-status': ['statuses', 'write'],
  'git/delete-ref': ['contents', 'write'],
  'issues/list-comments': ['pull_requests', 'read'],
  'issues/create-comment': ['pull_requests', 'write'],
  'issues/update-comment': ['pull_requests', 'write'],
  'repos/list-comments-for-commit': ['contents', 'read'],
  'repos/create-commit-comment': ['contents', 'write'],
  'repos/update-commit-comment': ['contents', 'write'],
  'actions/list-workflow-runs-for-repo': ['actions', 'read'],
  'actions/list-jobs-for-workflow-run': ['actions', 'read'],
  'checks/list-for-ref': ['checks', 'read'],
  'repos/get-combined-status-for-ref': ['statuses', 'read'],
  graphql: ['pull_requests', 'write'],
}

let openApi: OpenApiDocument | undefined

/** Starts the server on 127.0.0.1 (a free port). */
export async function startGitHubTestServer(options: GitHubTestServerOptions = {}): Promise<GitHubTestServer> {
  openApi ??= new OpenApiDocument()
  const doc = openApi
  const tokens = options.tokens ?? { [TEST_TOKEN]: ALL_PERMISSIONS }
  const limit = options.rateLimit ?? 5000
  const requests: SeenRequest[] = []
  const violations: string[] = []
  const faults: (Fault & { left: number })[] = []
  let used = 0
  let url = ''
  const repository = new FakeRepository({ ...options, apiUrl: () => url }, doc)

  const rateHeaders = (): Record<string, string> => ({
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(Math.max(0, limit - used)),
    'x-ratelimit-used': String(used),
    'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
    'x-ratelimit-resource': 'core',
  })

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET'
    const target = new URL(request.url ?? '/', 'http://127.0.0.1')
    const raw = await readBody(request)
    let body: unknown
    if (raw !== '') {
      try {
        body = JSON.parse(raw)
      } catch {
        violations.push(`${method} ${target.pathname}: request body is not JSON`)
        send(response, 400, { message: 'Problems parsing JSON' })
        return
      }
    }
    const seen = (operationId: string, status: number, notModified = false): void => {
      requests.push({ method, path: target.pathname + target.search, operationId, status, notModified, body })
    }
    const isGraphql = method === 'POST' && target.pathname === '/graphql'
    const matched = isGraphql ? undefined : doc.match(method, target.pathname)
    if (!isGraphql && matched === undefined) {
      violations.push(`${method} ${target.pathname}: no such operation in GitHub's description`)
      seen('unknown', 404)
      send(response, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' })
      return
    }
    const operationId = matched?.operation.operationId ?? 'graphql'
    const token = /^(?:token|bearer) (.+)$/i.exec(request.headers.authorization ?? '')?.[1]
    const granted = token === undefined ? undefined : tokens[token]
    if (granted === undefined) {
      seen(operationId, 401)
      send(response, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' })
      return
    }
    const fault = faults.find((item) => item.left > 0 && (item.operationId === operationId || item.operationId === '*'))
    if (fault !== undefined) {
      fault.left -= 1
      used += 1
      // An injected answer must be one GitHub could give, too.
      if (matched !== undefined)
        for (const problem of doc.checkResponse(matched.operation, fault.status, fault.body ?? { message: 'injected' }))
          violations.push(`${operationId} (injected answer): ${problem}`)
      seen(operationId, fault.status)
      send(response, fault.status, fault.body ?? { message: 'injected' }, { ...rateHeaders(), ...fault.headers })
      return
    }
    const need = NEEDS[operationId]
    if (need !== undefined && !allows(granted, need)) {
      used += 1
      seen(operationId, 403)
      send(
        response,
        403,
        {
          message: 'Resource not accessible by integration',
          documentation_url: 'https://docs.github.com/rest',
          status: '403',
        },
        { ...rateHeaders(), 'x-accepted-github-permissions': `${need[0]}=${need[1]}` },
      )
      return
    }
    if (isGraphql) {
      used += 1
      const answer = repository.graphql(body)
      violations.push(...answer.violations)
      seen(operationId, 200)
      send(response, 200, answer.body, rateHeaders())
      return
    }
    if (matched === undefined) return
    const problems = doc.checkRequest(matched.operation, matched.params, target.searchParams, body)
    if (problems.length > 0) {
      violations.push(...problems.map((problem) => `${operationId}: ${problem}`))
      used += 1
      seen(operationId, 422)
      send(response, 422, { message: 'Validation Failed', errors: problems.map((message) => ({ message })) })
      return
    }
    let answer: HandlerAnswer
    try {
      answer = await repository.handle(operationId, matched.params, target.searchParams, body)
    } catch (thrown) {
      violations.push(`${operationId}: the fake repository failed: ${(thrown as Error).stack ?? String(thrown)}`)
      seen(operationId, 500)
      send(response, 500, { message: 'test server failure' })
      return
    }
    const answerProblems = doc.checkResponse(matched.operation, answer.status, answer.body)
    if (answerProblems.length > 0) {
      violations.push(...answerProblems.map((problem) => `${operationId} (answer): ${problem}`))
      seen(operationId, 500)
      send(response, 500, { message: `off-schema answer: ${answerProblems.join('; ')}` })
      return
    }
    if (method === 'GET' && answer.status === 200) {
      const etag = `W/"${createHash('sha1').update(JSON.stringify(answer.body)).digest('hex')}"`
      if (request.headers['if-none-match'] === etag) {
        seen(operationId, 304, true)
        send(response, 304, undefined, { ...rateHeaders(), etag })
        return
      }
      used += 1
      seen(operationId, 200)
      send(response, 200, answer.body, { ...rateHeaders(), etag })
      return
    }
    used += 1
    seen(operationId, answer.status)
    send(response, answer.status, answer.body, rateHeaders())
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((thrown: unknown) => {
      violations.push(`test server: ${String(thrown)}`)
      if (!response.headersSent) send(response, 500, { message: 'test server failure' })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`
  return {
    url,
    repository,
    requests,
    violations,
    descriptionVersion: doc.version,
    inject: (fault) => faults.push({ ...fault, left: fault.times ?? 1 }),
    assertNoViolations: () => {
      if (violations.length > 0)
        throw new Error(`GitHub test server: requests or answers broke GitHub's description:\n${violations.join('\n')}`)
    },
    countedRequests: () => requests.filter((item) => !item.notModified).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function allows(granted: Permissions, [name, level]: [string, 'read' | 'write']): boolean {
  const has = granted[name]
  return has === 'write' || (has === 'read' && level === 'read')
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body)
  response.writeHead(status, {
    ...headers,
    ...(text === '' ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    'x-github-api-version-selected': '2022-11-28',
  })
  response.end(text)
}
