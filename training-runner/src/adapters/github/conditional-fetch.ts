/**
 * A `fetch` for Octokit that makes every GET a conditional request: the ETag of the last answer goes out as
 * `If-None-Match`, and GitHub's `304 Not Modified` (which costs no rate limit when the request is authorised) comes
 * back to Octokit as the cached `200` — so polling an idle branch costs nothing. It also keeps the rate-limit headers
 * of the latest answer and counts requests, for the app and the closing numbers.
 */

/** What a client has asked GitHub so far. */
export interface RequestStats {
  /** Requests sent (conditional ones included). */
  requests: number
  /** Answered `304 Not Modified`: served from the cache, free of rate limit. */
  notModified: number
  /** Requests that counted against the rate limit (everything but the 304s). */
  counted: number
}

/** GitHub's rate-limit headers of the latest answer. */
export interface RateLimitState {
  limit: number
  remaining: number
  used: number
  /** When the window resets (epoch ms). */
  resetAt: number
  resource: string
}

interface CachedAnswer {
  etag: string
  body: string
  headers: [string, string][]
  status: number
}

/** A fetch with an ETag cache in front of `inner`. */
export interface ConditionalFetch {
  fetch: typeof globalThis.fetch
  stats: () => RequestStats
  rateLimit: () => RateLimitState | null
}

const MAX_ENTRIES = 500

/** See the module comment; `inner` is the real fetch (default: the global one). */
export function conditionalFetch(inner: typeof globalThis.fetch = globalThis.fetch): ConditionalFetch {
  const cache = new Map<string, CachedAnswer>()
  const stats: RequestStats = { requests: 0, notModified: 0, counted: 0 }
  let rateLimit: RateLimitState | null = null

  const fetchWithCache: typeof globalThis.fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    const method = (init?.method ?? 'GET').toUpperCase()
    const headers = new Headers(init?.headers)
    const cached = method === 'GET' ? cache.get(url) : undefined
    if (cached !== undefined && !headers.has('if-none-match')) headers.set('if-none-match', cached.etag)
    stats.requests += 1
    const response = await inner(url, { ...init, headers })
    rateLimit = readRateLimit(response.headers) ?? rateLimit
    if (response.status === 304 && cached !== undefined) {
      stats.notModified += 1
      // Keep the entry fresh (least recently used goes first) and hand Octokit the cached answer.
      cache.delete(url)
      cache.set(url, cached)
      const merged = new Headers(cached.headers)
      response.headers.forEach((value, name) => {
        if (name.startsWith('x-ratelimit-') || name === 'date') merged.set(name, value)
      })
      return new Response(cached.body, { status: cached.status, headers: merged })
    }
    stats.counted += 1
    const etag = response.headers.get('etag')
    if (method === 'GET' && response.ok && etag !== null) {
      const body = await response.clone().text()
      cache.delete(url)
      cache.set(url, { etag, body, headers: [...response.headers.entries()], status: response.status })
      if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value ?? '')
    }
    return response
  }
  return { fetch: fetchWithCache, stats: () => ({ ...stats }), rateLimit: () => rateLimit }
}

function readRateLimit(headers: Headers): RateLimitState | null {
  const remaining = headers.get('x-ratelimit-remaining')
  if (remaining === null) return null
  return {
    limit: Number(headers.get('x-ratelimit-limit') ?? 0),
    remaining: Number(remaining),
    used: Number(headers.get('x-ratelimit-used') ?? 0),
    resetAt: Number(headers.get('x-ratelimit-reset') ?? 0) * 1000,
    resource: headers.get('x-ratelimit-resource') ?? 'core',
  }
}
