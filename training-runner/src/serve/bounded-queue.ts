import pLimit, { type LimitFunction } from 'p-limit'

/** Thrown by {@link BoundedQueue.run} when every slot is busy and the queue is full. */
export class QueueFullError extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    readonly waiting: number,
  ) {
    super(`the server is at capacity (${String(waiting)} requests waiting); retry in ${String(retryAfterSeconds)} s`)
  }
}

/** Options of {@link BoundedQueue}. */
export interface BoundedQueueOptions {
  /** Jobs running at once. */
  concurrency: number
  /** Jobs allowed to wait for a slot; one more is refused at once. */
  maxWaiting: number
}

/**
 * Runs jobs at most `concurrency` at a time with at most `maxWaiting` waiting: beyond that a request is refused
 * immediately (503 + Retry-After) instead of piling up until clients time out. Retry-After is the time the queue
 * ahead takes at the recent mean job time.
 */
export class BoundedQueue {
  private readonly limit: LimitFunction
  private meanSeconds = 0.05

  constructor(private readonly options: BoundedQueueOptions) {
    this.limit = pLimit(options.concurrency)
  }

  /** Jobs running now. */
  get active(): number {
    return this.limit.activeCount
  }

  /** Jobs waiting for a slot. */
  get waiting(): number {
    return this.limit.pendingCount
  }

  /** Runs `job` when a slot frees up; throws {@link QueueFullError} when the queue is full. */
  run<T>(job: () => Promise<T>): Promise<T> {
    if (this.limit.activeCount >= this.options.concurrency && this.limit.pendingCount >= this.options.maxWaiting) {
      return Promise.reject(new QueueFullError(this.retryAfterSeconds(), this.limit.pendingCount))
    }
    return this.limit(async () => {
      const started = performance.now()
      try {
        return await job()
      } finally {
        // An exponential moving average: recent load counts, one slow request does not.
        const seconds = (performance.now() - started) / 1000
        this.meanSeconds = this.meanSeconds * 0.9 + seconds * 0.1
      }
    })
  }

  private retryAfterSeconds(): number {
    const ahead = this.limit.activeCount + this.limit.pendingCount
    return Math.max(1, Math.ceil((ahead * this.meanSeconds) / this.options.concurrency))
  }
}
