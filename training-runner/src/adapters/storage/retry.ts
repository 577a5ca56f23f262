import { setTimeout as sleep } from 'node:timers/promises'
import { WmsError } from '@wms/shared/errors'

/** How an operation is retried: attempts after the first, and the exponential backoff between them. */
export interface RetryPolicy {
  retries: number
  /** Delay before the first retry; doubles each time, with full jitter. */
  baseDelayMs: number
  maxDelayMs: number
}

/** The default for remote storage: 4 retries, 250 ms doubling up to 8 s (about 15 s of patience in all). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 4, baseDelayMs: 250, maxDelayMs: 8_000 }

/**
 * Runs `operation`, retrying while it throws a {@link WmsError} marked `retryable` (network, throttling, a busy
 * server). Anything else, and the last failure, is thrown as is. `signal` cancels the waits.
 */
export async function withRetries<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await operation(attempt)
    } catch (thrown) {
      const retryable = thrown instanceof WmsError && thrown.retryable === true
      if (!retryable || attempt >= policy.retries || signal?.aborted === true) throw thrown
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt)
      try {
        await sleep(Math.round(ceiling / 2 + (Math.random() * ceiling) / 2), undefined, { signal })
      } catch {
        throw new WmsError('cancelled', 'The transfer was cancelled.')
      }
    }
  }
}
