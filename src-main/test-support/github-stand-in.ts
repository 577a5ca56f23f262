import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** How the stand-in treats one token. */
export interface StandInToken {
  login: string
  /** `X-OAuth-Scopes`; `null` sends no header (a fine-grained token). */
  scopes: string[] | null
  /** Answer 403 as GitHub does for an organisation's SSO, or for an exhausted rate limit. */
  refuse?: 'sso' | 'rate-limit'
  /** Repositories (`owner/name`) it may see, with whether it may push. */
  repos?: Record<string, { push: boolean }>
}

/** A device-flow sign-in the stand-in plays: how many polls stay pending, then the outcome. */
export interface StandInDeviceFlow {
  clientId: string
  pendingPolls: number
  outcome: { token: string } | { error: 'access_denied' | 'expired_token' }
}

/** A running stand-in. */
export interface GitHubStandIn {
  /** REST base (`/api/v3`-less: routes at the root, like api.github.com). */
  apiUrl: string
  /** Web base for the device flow (the same server). */
  webUrl: string
  tokens: Map<string, StandInToken>
  deviceFlow: StandInDeviceFlow | undefined
  /** Every request: method, path, and the Authorization header. */
  requests: { method: string; path: string; authorization: string | undefined }[]
  close(): Promise<void>
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers })
  response.end(JSON.stringify(body))
}

async function formOf(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

/**
 * A GitHub stand-in on 127.0.0.1 for the Settings tests: `GET /user` and `GET /repos/{owner}/{repo}` with GitHub's
 * status codes, JSON bodies and headers (`X-OAuth-Scopes`, `X-GitHub-SSO`, `X-RateLimit-*`), and the OAuth device
 * flow's two endpoints (`authorization_pending` until the configured poll, then a token or an error). Issue 16's
 * OpenAPI-validating test server replaces it once it lands.
 */
export async function startGitHubStandIn(): Promise<GitHubStandIn> {
  const standIn: Omit<GitHubStandIn, 'apiUrl' | 'webUrl' | 'close'> = {
    tokens: new Map(),
    deviceFlow: undefined,
    requests: [],
  }
  let polls = 0
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost')
    const authorization = request.headers.authorization
    standIn.requests.push({ method: request.method ?? '', path: url.pathname, authorization })
    void (async () => {
      if (request.method === 'POST' && url.pathname === '/login/device/code') {
        const form = await formOf(request)
        const flow = standIn.deviceFlow
        if (flow === undefined || form.get('client_id') !== flow.clientId) {
          json(response, 200, { error: 'Not Found' })
          return
        }
        polls = 0
        json(response, 200, {
          device_code: 'device-code-1',
          user_code: 'WDJB-MJHT',
          verification_uri: 'https://github.com/login/device',
          expires_in: 900,
          interval: 0,
        })
        return
      }
      if (request.method === 'POST' && url.pathname === '/login/oauth/access_token') {
        const form = await formOf(request)
        const flow = standIn.deviceFlow
        if (flow === undefined || form.get('device_code') !== 'device-code-1') {
          json(response, 200, { error: 'incorrect_device_code' })
          return
        }
        polls += 1
        if (polls <= flow.pendingPolls) json(response, 200, { error: 'authorization_pending' })
        else if ('token' in flow.outcome)
          json(response, 200, { access_token: flow.outcome.token, token_type: 'bearer', scope: 'repo,workflow' })
        else json(response, 200, { error: flow.outcome.error })
        return
      }
      const token = /^(?:token|Bearer) (.+)$/i.exec(authorization ?? '')?.[1]
      const known = token === undefined ? undefined : standIn.tokens.get(token)
      if (known === undefined) {
        json(response, 401, {
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest',
          status: '401',
        })
        return
      }
      const scopeHeader: Record<string, string> =
        known.scopes === null ? {} : { 'X-OAuth-Scopes': known.scopes.join(', ') }
      if (known.refuse === 'sso') {
        json(
          response,
          403,
          { message: 'Resource protected by organization SAML enforcement.' },
          { 'X-GitHub-SSO': 'required; url=https://github.com/orgs/x/sso' },
        )
        return
      }
      if (known.refuse === 'rate-limit') {
        json(
          response,
          403,
          { message: 'API rate limit exceeded' },
          { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '1767225600' },
        )
        return
      }
      if (request.method === 'GET' && url.pathname === '/user') {
        json(response, 200, { login: known.login, id: 1, name: `${known.login} name`, type: 'User' }, scopeHeader)
        return
      }
      const repo = /^\/repos\/([^/]+\/[^/]+)$/.exec(url.pathname)?.[1]
      if (request.method === 'GET' && repo !== undefined) {
        const access = known.repos?.[repo]
        if (access === undefined) json(response, 404, { message: 'Not Found', status: '404' })
        else
          json(
            response,
            200,
            { full_name: repo, private: true, permissions: { admin: false, push: access.push, pull: true } },
            scopeHeader,
          )
        return
      }
      json(response, 404, { message: 'Not Found', status: '404' })
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`
  return Object.assign(standIn, {
    apiUrl: base,
    webUrl: base,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  })
}
