import { Octokit } from '@octokit/rest'
import { missingGitHubScopes } from '@wms/shared/settings/accounts'
import { hostOf, networkProblem, type ProblemReport } from './network-problem.js'

/** Who a GitHub token belongs to, and what it may do. */
export interface GitHubIdentity {
  login: string
  name: string | null
  /** `X-OAuth-Scopes` of a classic or OAuth token; `null` for fine-grained tokens (GitHub sends no header). */
  scopes: string[] | null
  missingScopes: string[]
}

/** The outcome of checking a token: who it is, or why GitHub refused (classified). */
export type GitHubCheck =
  | { ok: true; identity: GitHubIdentity; repo?: string }
  /** `identity` is known when GitHub accepted the token but it lacks a scope or repository access. */
  | { ok: false; report: ProblemReport; identity?: GitHubIdentity }

/** Options of {@link checkGitHubToken}. */
export interface CheckGitHubOptions {
  apiUrl: string
  token: string
  /** A repository (`owner/name`) the token must be able to push to: the workspace's `github.repo`. */
  repo?: string | undefined
  timeoutMs?: number
}

const SCOPE_HINT =
  'Create a classic token with the repo and workflow scopes (GitHub → Settings → Developer settings → Personal access tokens), or sign in with the device flow, which asks for them.'

/**
 * Checks a token the way the app will use it: `GET /user` (who, and `X-OAuth-Scopes`), then, when a repository is
 * named, `GET /repos/{owner}/{repo}` (can it see and push to it). 401 and 403 are told apart: a wrong, expired or
 * revoked token; an exhausted rate limit; an organisation's SSO that the token is not authorised for; a missing
 * scope or repository permission.
 */
export async function checkGitHubToken(options: CheckGitHubOptions): Promise<GitHubCheck> {
  const octokit = new Octokit({
    auth: options.token,
    baseUrl: options.apiUrl.replace(/\/+$/, ''),
    userAgent: 'wms-studio',
    // No console output from Octokit: its messages could carry request details.
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    request: { signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) },
  })
  let identity: GitHubIdentity
  try {
    const response = await octokit.request('GET /user')
    const header = response.headers['x-oauth-scopes']
    const scopes =
      typeof header === 'string'
        ? header
            .split(',')
            .map((scope) => scope.trim())
            .filter((scope) => scope !== '')
        : null
    identity = {
      login: response.data.login,
      name: response.data.name,
      scopes,
      missingScopes: missingGitHubScopes(scopes),
    }
  } catch (thrown) {
    return { ok: false, report: classifyGitHubError(thrown, options.apiUrl, 'the token') }
  }
  if (identity.missingScopes.length > 0) {
    return {
      ok: false,
      identity,
      report: {
        problem: 'missing-scope',
        summary: `Signed in as ${identity.login}, but the token lacks the ${identity.missingScopes.join(' and ')} scope${identity.missingScopes.length > 1 ? 's' : ''} (it has: ${identity.scopes?.join(', ') || 'none'}).`,
        hint: SCOPE_HINT,
      },
    }
  }
  if (options.repo === undefined) return { ok: true, identity }
  const [owner = '', name = ''] = options.repo.split('/')
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}', { owner, repo: name })
    if (data.permissions !== undefined && !data.permissions.push) {
      return {
        ok: false,
        report: {
          problem: 'forbidden',
          summary: `${identity.login} can read ${options.repo} but not push to it (no write permission).`,
          hint: `Ask an owner of ${options.repo} for write access: the app pushes data branches there.`,
        },
      }
    }
    return { ok: true, identity, repo: options.repo }
  } catch (thrown) {
    const status = (thrown as { status?: number }).status
    if (status === 404) {
      return {
        ok: false,
        report: {
          problem: 'forbidden',
          summary: `${identity.login} cannot see ${options.repo}: it does not exist or the token has no access to it.`,
          hint: `Check github.repo in wms.config.json; for a fine-grained token, add ${options.repo} to its repositories.`,
        },
      }
    }
    return { ok: false, report: classifyGitHubError(thrown, options.apiUrl, options.repo) }
  }
}

/** An Octokit failure as a {@link ProblemReport}. */
export function classifyGitHubError(thrown: unknown, apiUrl: string, what: string): ProblemReport {
  const host = hostOf(apiUrl)
  const status = (thrown as { status?: number }).status
  const response = (thrown as { response?: { headers?: Record<string, string | undefined>; data?: unknown } }).response
  const headers = response?.headers ?? {}
  const message = githubMessage(response?.data) ?? (thrown as Error).message
  if (response === undefined) {
    const network = networkProblem(thrown, host, 'the GitHub API')
    if (network !== undefined) return network
  }
  if (status === 401) {
    return {
      problem: 'unauthorized',
      summary: `GitHub refused ${what} (401 ${message}): it is wrong, expired or revoked.`,
      hint: 'Paste a current token, or sign in with the device flow.',
    }
  }
  if (status === 403 || status === 429) {
    if (headers['x-ratelimit-remaining'] === '0') {
      const reset = Number(headers['x-ratelimit-reset'])
      const when = Number.isFinite(reset) ? new Date(reset * 1000).toISOString().slice(11, 16) : 'later'
      return {
        problem: 'forbidden',
        summary: `GitHub's rate limit for this token is used up (403); it resets at ${when} UTC.`,
        hint: 'Wait until then, or use another token.',
      }
    }
    if (headers['x-github-sso'] !== undefined) {
      return {
        problem: 'forbidden',
        summary: `GitHub refused ${what} (403): the organisation requires SSO and the token is not authorised for it.`,
        hint: 'Authorise the token for the organisation (GitHub → Settings → Personal access tokens → Configure SSO).',
      }
    }
    const accepted = headers['x-accepted-oauth-scopes']
    return {
      problem: 'forbidden',
      summary: `GitHub refused ${what} (403 ${message})${accepted ? `; this call needs the scope ${accepted}` : ''}.`,
      hint: accepted ? SCOPE_HINT : 'The token lacks a permission this call needs; check its scopes or permissions.',
    }
  }
  if (status === 404) {
    return {
      problem: 'unexpected-answer',
      summary: `There is no GitHub API at ${apiUrl} (GET /user answered 404).`,
      hint: 'Use https://api.github.com, or https://<your GitHub Enterprise host>/api/v3.',
    }
  }
  return {
    problem: 'unexpected-answer',
    summary: `GitHub answered ${status === undefined ? 'unexpectedly' : `HTTP ${String(status)}`}: ${message}.`,
    hint: 'Check the API address in Settings; try again later if GitHub is having trouble (githubstatus.com).',
  }
}

function githubMessage(data: unknown): string | undefined {
  if (typeof data === 'object' && data !== null && typeof (data as { message?: unknown }).message === 'string') {
    return (data as { message: string }).message
  }
  return undefined
}
