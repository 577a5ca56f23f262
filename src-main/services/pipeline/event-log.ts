import { appendFile, mkdir, readFile, readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { parseNdjsonLine, toNdjsonLine, type PipelineEvent } from '@wms/shared/pipeline/events'
import { runRecordName } from '@wms/shared/pipeline/run-record'
import { curvePointOf, withCurvePoint } from '@wms/shared/pipeline/timeline-events'
import type { CurvePoint } from '@wms/shared/pipeline/timeline'

/** What a branch's event log says beyond its run record: the curves as logged, the epochs, the latest message. */
export interface EventLogSummary {
  curve: CurvePoint[]
  epochs: number | null
  message: string | null
  events: number
}

/** Reduces an event log's text to its summary (tolerates a torn last line and foreign lines). */
export function summarizeEventLog(text: string): EventLogSummary {
  let curve: CurvePoint[] = []
  let epochs: number | null = null
  let message: string | null = null
  let events = 0
  for (const line of text.split('\n')) {
    const event = parseNdjsonLine(line)
    if (event === undefined) continue
    events += 1
    if (event.type === 'epoch-end') {
      curve = withCurvePoint(curve, curvePointOf(event.epoch, event.metrics))
      epochs = event.epochs
    } else if (event.type === 'step-start') message = event.title
    else if (event.type === 'progress' && event.message !== undefined) message = event.message
    else if (event.type === 'log') message = event.message
  }
  return { curve, epochs, message, events }
}

/**
 * The app's log of each branch's pipeline events (`.wms/pipeline/events/<branch>.ndjson`), appended as the local
 * runner's child streams them: after a restart, or when the view opens in the middle of a run, the curves and the
 * latest message are still there. Appends are queued per branch, so lines never interleave.
 */
export class PipelineEventLog {
  private readonly queues = new Map<string, Promise<void>>()
  private readonly pending = new Map<string, string>()

  constructor(private readonly workspaceRoot: string) {}

  /** The folder of the logs. */
  get dir(): string {
    return path.join(this.workspaceRoot, '.wms', 'pipeline', 'events')
  }

  /** The log file of `branch`. */
  file(branch: string): string {
    return path.join(this.dir, runRecordName(branch).replace(/\.json$/, '.ndjson'))
  }

  /** Appends one event of a branch (events without a branch belong to no timeline and are not kept). */
  append(event: PipelineEvent): void {
    const branch = event.branch
    if (branch === undefined) return
    const queued = this.pending.get(branch)
    this.pending.set(branch, (queued ?? '') + toNdjsonLine(event))
    if (queued !== undefined) return
    // Lines that arrive while a write is in flight go out together in the next one.
    const previous = this.queues.get(branch) ?? Promise.resolve()
    const next = previous.then(async () => {
      const lines = this.pending.get(branch) ?? ''
      this.pending.delete(branch)
      await mkdir(this.dir, { recursive: true })
      await appendFile(this.file(branch), lines, { mode: 0o600 })
    })
    this.queues.set(
      branch,
      next.catch(() => undefined),
    )
  }

  /** Waits for every queued append (tests, shutdown). */
  async flush(): Promise<void> {
    await Promise.all(this.queues.values())
  }

  /** A branch's summary; empty when it has no log. */
  async summary(branch: string): Promise<EventLogSummary> {
    try {
      return summarizeEventLog(await readFile(this.file(branch), 'utf8'))
    } catch (thrown) {
      if ((thrown as NodeJS.ErrnoException).code === 'ENOENT')
        return { curve: [], epochs: null, message: null, events: 0 }
      throw thrown
    }
  }

  /** Name, size and modification time of every log: what changed since the last look. */
  async fingerprint(): Promise<string> {
    try {
      const names = (await readdir(this.dir)).sort()
      const stats = await Promise.all(names.map(async (name) => stat(path.join(this.dir, name))))
      return names
        .map((name, index) => `${name}:${String(stats[index]?.size)}:${String(stats[index]?.mtimeMs)}`)
        .join('|')
    } catch (thrown) {
      if ((thrown as NodeJS.ErrnoException).code === 'ENOENT') return ''
      throw thrown
    }
  }
}
