import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { toAppError, type AppError } from '@wms/shared/errors'
import {
  PipelineTimelineSchema,
  type PipelineStatus,
  type PipelineStatusUpdate,
  type PipelineTimeline,
  type StatusFreshness,
} from '@wms/shared/pipeline/timeline'
import type { Disposable } from '../disposables.js'
import type { PipelineStatusSource } from './status-source.js'

/** Options of {@link StatusPoller}. */
export interface StatusPollerOptions {
  source: PipelineStatusSource
  /** Where the last known state is kept, so an offline start still shows it (and how old it is). */
  cacheFile: string
  /** Where changes go (the `pipeline:status` channel). */
  onUpdate: (update: PipelineStatusUpdate) => void
  /** Longest wait between looks after failures (default 5 min). */
  maxBackoffMs?: number
  now?: () => number
}

const CacheSchema = z.object({
  version: z.literal(1),
  source: z.string(),
  lastSuccessAt: z.number().nullable(),
  timelines: z.array(PipelineTimelineSchema),
})

/**
 * Polls one status source and keeps what it said: every branch's timeline, and whether that is live or the last
 * known state. A look that fails (offline, rate limited, a server error) keeps the last timelines, says why and
 * waits twice as long before the next (up to {@link StatusPollerOptions.maxBackoffMs}); the first look that
 * works goes back to the source's interval. Only what changed is pushed to the renderers.
 */
export class StatusPoller implements Disposable {
  private timelines = new Map<string, PipelineTimeline>()
  private lastSuccessAt: number | null = null
  private error: AppError | null = null
  private failures = 0
  /** Whether a look worked in this session (the cache alone is the last known state, not a live one). */
  private live = false
  private nextPollAt: number | null = null
  private timer: NodeJS.Timeout | undefined
  private readonly abort = new AbortController()
  private polling: Promise<void> | undefined
  private readonly now: () => number

  constructor(private readonly options: StatusPollerOptions) {
    this.now = options.now ?? Date.now
  }

  /** Loads the last known state, then looks at the source now and at its interval after. */
  async start(): Promise<void> {
    await this.loadCache()
    this.schedule(0)
  }

  /** Every timeline (newest first) and how fresh they are. */
  status(): PipelineStatus {
    return { timelines: this.sorted(), freshness: this.freshness() }
  }

  /** Looks now (the user's "Check now"), whatever the back-off said; resolves after the look. */
  async refresh(): Promise<PipelineStatus> {
    this.failures = 0
    await this.pollOnce()
    return this.status()
  }

  async dispose(): Promise<void> {
    this.abort.abort()
    clearTimeout(this.timer)
    await this.polling
    await this.options.source.dispose?.()
  }

  private freshness(): StatusFreshness {
    return {
      source: this.options.source.kind,
      sourceLabel: this.options.source.label,
      freshness: this.live ? 'live' : 'offline',
      lastSuccessAt: this.lastSuccessAt,
      error: this.error,
      nextPollAt: this.nextPollAt,
    }
  }

  private sorted(): PipelineTimeline[] {
    return [...this.timelines.values()].sort((a, b) => (b.pushedAt ?? b.updatedAt) - (a.pushedAt ?? a.updatedAt))
  }

  private schedule(delayMs: number): void {
    if (this.abort.signal.aborted) return
    clearTimeout(this.timer)
    this.nextPollAt = this.now() + delayMs
    this.timer = setTimeout(() => {
      // Whatever a look does, the next one is scheduled: a poller that stops silently is a frozen view.
      void this.pollOnce()
        .catch(() => undefined)
        .finally(() => this.schedule(this.delay()))
    }, delayMs)
    this.timer.unref()
  }

  /** The source's interval while all is well; doubled per failure in a row, up to the maximum. */
  private delay(): number {
    const base = this.options.source.intervalMs
    if (this.failures === 0) return base
    return Math.min(this.options.maxBackoffMs ?? 300_000, base * 2 ** this.failures)
  }

  private pollOnce(): Promise<void> {
    this.polling ??= this.look().finally(() => {
      this.polling = undefined
    })
    return this.polling
  }

  private async look(): Promise<void> {
    try {
      await this.lookOrThrow()
    } catch (thrown) {
      if (this.abort.signal.aborted) return
      this.failures += 1
      this.live = false
      this.error = toAppError(thrown)
      this.nextPollAt = this.now() + this.delay()
      this.options.onUpdate({ changed: [], removed: [], freshness: this.freshness() })
    }
  }

  private async lookOrThrow(): Promise<void> {
    const wasLive = this.live
    const timelines = await this.options.source.poll(this.abort.signal)
    this.failures = 0
    this.error = null
    this.live = true
    this.lastSuccessAt = this.now()
    this.nextPollAt = this.now() + this.delay()
    const update = timelines === undefined ? { changed: [], removed: [] } : this.replace(timelines)
    const changed = update.changed.length > 0 || update.removed.length > 0
    if (changed) await this.saveCache().catch(() => undefined)
    // Going (back) online is news even when no timeline changed.
    if (changed || !wasLive) this.options.onUpdate({ ...update, freshness: this.freshness() })
  }

  private replace(timelines: PipelineTimeline[]): Pick<PipelineStatusUpdate, 'changed' | 'removed'> {
    const next = new Map(timelines.map((timeline) => [timeline.branch, timeline]))
    const changed = timelines.filter((timeline) => {
      const before = this.timelines.get(timeline.branch)
      return before === undefined || JSON.stringify(before) !== JSON.stringify(timeline)
    })
    const removed = [...this.timelines.keys()].filter((branch) => !next.has(branch))
    this.timelines = next
    return { changed, removed }
  }

  private async loadCache(): Promise<void> {
    try {
      const parsed = CacheSchema.safeParse(JSON.parse(await readFile(this.options.cacheFile, 'utf8')))
      if (!parsed.success || parsed.data.source !== this.options.source.label) return
      this.timelines = new Map(parsed.data.timelines.map((timeline) => [timeline.branch, timeline]))
      this.lastSuccessAt = parsed.data.lastSuccessAt
    } catch {
      // No cache yet (or an unreadable one): the first look fills it.
    }
  }

  private async saveCache(): Promise<void> {
    const file = this.options.cacheFile
    await mkdir(path.dirname(file), { recursive: true })
    const body = {
      version: 1,
      source: this.options.source.label,
      lastSuccessAt: this.lastSuccessAt,
      timelines: this.sorted(),
    }
    const temporary = `${file}.${String(process.pid)}.tmp`
    await writeFile(temporary, JSON.stringify(body), { mode: 0o600 })
    await rename(temporary, file)
  }
}
