import Bottleneck from 'bottleneck'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import { Octokit } from '@octokit/rest'
import { WmsError } from '@wms/shared/errors'
import { conditionalFetch, type RateLimitState, type RequestStats } from './conditional-fetch.js'

/**
 * The one way the runner talks to GitHub: `@octokit/rest` with GitHub's rate-limit rules built in — primary limits
 * wait for the reset, secondary limits honour `retry-after` (both up to a bound, then a clear error), content-creating
 * requests are spaced as GitHub asks, 5xx answers are retried with backoff — and every GET made conditional (ETag),
 * so that polling costs nothing while nothing changes.
 */

/** Options of {@link createGitHubClient}. */
export interface GitHubClientOptions {
  /** `owner/name`. */
  repo: string
  /** A token (the workflow's `GITHUB_TOKEN`, an app token, a fine-grained token); unauthenticated without one. */
  token?: string
  /** REST base URL without a trailing slash (default: `https://api.github.com`; GitHub Enterprise or a test server). */
  baseUrl?: string
  /** The longest wait for a rate limit to reset before giving up, in seconds (default 900). */
  maxRateLimitWaitSeconds?: number
  /** How many times one request waits for a rate limit (default 3). */
  rateLimitRetries?: number
  /**
   * Pause between content-creating requests (POST/PATCH/PUT/DELETE), in ms (default 1000, as GitHub asks); requests
   * that notify people (PRs, comments) are spaced three times that.
   */
  writeSpacingMs?: number
  /** Retries of a 5xx answer (default 3). */
  serverErrorRetries?: number
  /** Told before each wait for a rate limit. */
  onRateLimitWait?: (wait: RateLimitWait) => void
  /** The transport (default: the global fetch). */
  fetch?: typeof globalThis.fetch
}

/** A wait for a rate limit, as {@link GitHubClientOptions.onRateLimitWait} hears it. */
export interface RateLimitWait {
  kind: 'primary' | 'secondary'
  seconds: number
  request: string
  attempt: number
}

/** An Octokit bound to one repository, with its request counters. */
export interface GitHubClient {
  octokit: Octokit
  owner: string
  repo: string
  /** Requests so far (and how many were free 304s). */
  stats: () => RequestStats
  /** The rate-limit headers of the latest answer (null before the first). */
  rateLimit: () => RateLimitState | null
}

const ThrottledOctokit = Octokit.plugin(throttling, retry)

const SILENT_LOG = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined }

/** See the module comment. */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const [owner, repo, ...rest] = options.repo.split('/')
  if (owner === undefined || repo === undefined || owner === '' || repo === '' || rest.length > 0) {
    throw new WmsError('usage/invalid-arguments', `"${options.repo}" is not a GitHub repository (owner/name).`, {
      hint: 'Set github.repo in wms.config.json to owner/name, e.g. acme/water-meters.',
    })
  }
  const transport = conditionalFetch(options.fetch)
  const maxWait = options.maxRateLimitWaitSeconds ?? 900
  const retries = options.rateLimitRetries ?? 3
  const wantRetry =
    (kind: RateLimitWait['kind']) =>
    (seconds: number, request: { method: string; url: string }, _octokit: unknown, attempt: number): boolean => {
      if (attempt >= retries || seconds > maxWait) return false
      options.onRateLimitWait?.({ kind, seconds, request: `${request.method} ${request.url}`, attempt: attempt + 1 })
      return true
    }
  const octokit = new ThrottledOctokit({
    ...(options.token === undefined || options.token === '' ? {} : { auth: options.token }),
    baseUrl: (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: 'wms-studio-training-runner',
    log: SILENT_LOG,
    request: { fetch: transport.fetch, retries: options.serverErrorRetries ?? 3 },
    retry: { doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451] },
    throttle: {
      onRateLimit: wantRetry('primary'),
      onSecondaryRateLimit: wantRetry('secondary'),
      // Each client gets its own write spacing (the plugin's default group is shared by every Octokit in the process).
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: options.writeSpacingMs ?? 1000 }),
      // Writes that notify people (a PR, a comment) three times as far apart, as the plugin's default does.
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 3 * (options.writeSpacingMs ?? 1000) }),
      fallbackSecondaryRateRetryAfter: 60,
    },
  })
  return { octokit, owner, repo, stats: transport.stats, rateLimit: transport.rateLimit }
}
