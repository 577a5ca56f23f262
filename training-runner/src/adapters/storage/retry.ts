import { setTimeout as sleep } from 'node:timers/promises'
import { WmsError } from '@wms/shared/errors'

/** How an operation is retried: attempts after the first, and the exponential backoff between them. */
export interface RetryPolicy {
  retries: number
  /** Delay before the first retry; doubles each time, with full jitter. */
  baseDelayMs: number
  maxDelayMs: number
  /**
   * The longest `Retry-After` a server may ask for; a longer one is not waited out (the error says when to come
   * back). Default {@link MAX_RETRY_AFTER_MS}.
   */
  maxRetryAfterMs?: number
  /** How long one request may wait for the server (for the patience stated in messages; 0 = not bounded here). */
  requestTimeoutMs?: number
}

/** The default for remote storage: 4 retries, 250 ms doubling up to 8 s (about 15 s of back-off in all). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 4, baseDelayMs: 250, maxDelayMs: 8_000 }

/** A server asking for more than a minute's pause is not waited on; the command fails and says so. */
export const MAX_RETRY_AFTER_MS = 60_000

/** The `details` a retryable storage error may carry: how long the server asked us to wait (`Retry-After`). */
export interface RetryDetails {
  retryAfterMs?: number
}

/**
 * The longest a failing operation can take under `policy`: every attempt waiting its full request timeout plus
 * the longest back-off between them (server-requested pauses aside) — what the docs and messages call patience.
 */
export function patienceMs(policy: RetryPolicy): number {
  let backoff = 0
  for (let attempt = 0; attempt < policy.retries; attempt += 1) {
    backoff += Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt)
  }
  return (policy.retries + 1) * (policy.requestTimeoutMs ?? 0) + backoff
}

/** `5 attempts over 12.3 s (patience: 5 × 30 s timeout + back-off, at most 2.7 min)` */
export function describePatience(policy: RetryPolicy, attempts: number, elapsedMs: number): string {
  const timeout = policy.requestTimeoutMs
  const limit = patienceMs(policy)
  const bound =
    timeout === undefined || timeout === 0
      ? `${String(policy.retries)} retries with back-off`
      : `${String(policy.retries + 1)} attempts of up to ${seconds(timeout)} each plus back-off, at most ${seconds(limit)}`
  return `gave up after ${String(attempts)} attempt${attempts === 1 ? '' : 's'} over ${seconds(elapsedMs)} (patience: ${bound})`
}

function seconds(ms: number): string {
  return ms >= 120_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`
}

/**
 * Runs `operation`, retrying while it throws a {@link WmsError} marked `retryable` (network, throttling, a busy
 * server), with exponential back-off and full jitter — or the server's `Retry-After` when it names a longer pause.
 * Anything else is thrown as is; the last retryable failure is thrown with how long we tried. `signal` cancels
 * the waits.
 */
export async function withRetries<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  signal?: AbortSignal,
): Promise<T> {
  const started = Date.now()
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await operation(attempt)
    } catch (thrown) {
      const retryable = thrown instanceof WmsError && thrown.retryable === true
      if (!retryable || signal?.aborted === true) throw thrown
      const asked = retryAfterOf(thrown)
      const ceiling = policy.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS
      if (attempt >= policy.retries || (asked !== undefined && asked > ceiling)) {
        throw exhausted(thrown, policy, attempt + 1, Date.now() - started, asked)
      }
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt)
      const jittered = Math.round(backoff / 2 + (Math.random() * backoff) / 2)
      try {
        await sleep(Math.max(jittered, asked ?? 0), undefined, { signal })
      } catch {
        throw new WmsError('cancelled', 'The transfer was cancelled.')
      }
    }
  }
}

function retryAfterOf(error: WmsError): number | undefined {
  const details = error.details as RetryDetails | undefined
  return typeof details?.retryAfterMs === 'number' ? details.retryAfterMs : undefined
}

// The last failure, told with the patience spent: "… failed (…) — gave up after 5 attempts over 2.6 min (…)".
function exhausted(
  error: WmsError,
  policy: RetryPolicy,
  attempts: number,
  elapsedMs: number,
  asked: number | undefined,
): WmsError {
  const pause =
    asked !== undefined && asked > (policy.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS)
      ? `; the server asked to wait ${seconds(asked)}, longer than we wait`
      : ''
  return new WmsError(error.code, `${error.message} — ${describePatience(policy, attempts, elapsedMs)}${pause}.`, {
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    retryable: true,
    ...(error.details === undefined ? {} : { details: error.details }),
    cause: error,
  })
}
