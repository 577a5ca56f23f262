import { setTimeout as delay } from 'node:timers/promises'
import { toAppError } from '@wms/shared/errors'
import type { PipelineRunRecord } from '@wms/shared/pipeline/run-record'
import type { EventSink } from '../events/event-sink.js'
import { remoteDataBranches } from './pipeline-git.js'
import { listRunRecords } from './run-record-file.js'
import { holderIsGone } from './workspace-lock.js'

/**
 * The local pipeline runner (the demo, offline workspaces): notices `data/*` branches pushed to the workspace's
 * origin, queues them, and runs the pipeline on one at a time — each on top of main as the previous one left it.
 * A branch runs once per commit: its run record says which commit it ran. On start it first finishes the runs a
 * previous session left (interrupted by a quit, a crash, a kill): nothing is silently lost.
 */

/** How the runner runs one branch (in this process for the CLI; a child process in the app). */
export type PipelineExecutor = (
  branch: string,
  resume: boolean,
  signal: AbortSignal,
) => Promise<PipelineRunRecord | undefined>

/** Options of {@link LocalRunner}. */
export interface LocalRunnerOptions {
  root: string
  remote?: string
  /** How often to look at the origin's branches (default 2 s). */
  pollMs?: number
  execute: PipelineExecutor
  events: EventSink
  /** Called when a branch is queued, starts and ends (the app refreshes its list). */
  onChange?: () => void
}

/** What the runner is doing. */
export interface RunnerState {
  running: string | null
  queued: string[]
}

/** See the module comment. */
export class LocalRunner {
  private readonly queue: { branch: string; resume: boolean }[] = []
  /** Branch commits this runner already ran: one that ended without a record (the run could not start) waits for a new push. */
  private readonly attempted = new Map<string, string>()
  private current: string | null = null
  private readonly abort = new AbortController()
  private loop: Promise<void> | undefined
  private draining: Promise<void> | undefined

  constructor(private readonly options: LocalRunnerOptions) {}

  /** Queues the runs left unfinished, then watches the origin until {@link stop}. */
  start(): void {
    this.loop ??= this.watch()
  }

  /** What runs and what waits. */
  state(): RunnerState {
    return { running: this.current, queued: this.queue.map((item) => item.branch) }
  }

  /** Looks once: queues unfinished runs and new branch commits. Returns when the queue is empty. */
  async runPending(): Promise<void> {
    await this.scan()
    await this.drain()
  }

  /** Stops watching; the run in progress is interrupted (its record says so, and the next start resumes it). */
  async stop(): Promise<void> {
    this.abort.abort()
    await this.loop?.catch(() => undefined)
    await this.draining?.catch(() => undefined)
  }

  private async watch(): Promise<void> {
    const pollMs = this.options.pollMs ?? 2_000
    while (!this.abort.signal.aborted) {
      try {
        await this.scan()
        void this.drain()
      } catch (thrown) {
        this.options.events.emit({
          type: 'log',
          level: 'warn',
          message: `Local runner: cannot read ${this.options.remote ?? 'origin'}: ${toAppError(thrown).message}`,
        })
      }
      await delay(pollMs, undefined, { signal: this.abort.signal }).catch(() => undefined)
    }
  }

  /** Queues what needs a run: unfinished records first, then branches whose commit has no run yet. */
  private async scan(): Promise<void> {
    const records = await listRunRecords(this.options.root)
    const byBranch = new Map(records.map((record) => [record.branch, record]))
    for (const record of [...records].reverse()) {
      const unfinished = record.status !== 'done' && (record.holder === null || holderIsGone(record.holder))
      if (unfinished) this.enqueue(record.branch, true)
    }
    const branches = await remoteDataBranches(this.options.root, this.options.remote ?? 'origin')
    const sorted = [...branches].sort(([a], [b]) => a.localeCompare(b))
    for (const [branch, commit] of sorted) {
      const record = byBranch.get(branch)
      const due = record === undefined || (record.commit !== commit && record.status === 'done')
      if (due && this.attempted.get(branch) !== commit) {
        this.attempted.set(branch, commit)
        this.enqueue(branch, false)
      }
    }
  }

  private enqueue(branch: string, resume: boolean): void {
    if (this.current === branch || this.queue.some((item) => item.branch === branch)) return
    this.queue.push({ branch, resume })
    this.options.events.emit({
      type: 'log',
      level: 'info',
      branch,
      message: `Queued ${branch}${resume ? ' (resuming an interrupted run)' : ''}`,
    })
    this.options.onChange?.()
  }

  private drain(): Promise<void> {
    if (this.draining !== undefined) return this.draining
    // Cleared in a `.finally`, which always runs after this assignment: an async body that finds the queue empty
    // completes synchronously, and clearing from inside it left a settled promise here that no push ever drained.
    const draining = this.runQueue().finally(() => {
      if (this.draining === draining) this.draining = undefined
    })
    this.draining = draining
    return draining
  }

  private async runQueue(): Promise<void> {
    for (let next = this.queue.shift(); next !== undefined && !this.abort.signal.aborted; next = this.queue.shift()) {
      this.current = next.branch
      this.options.onChange?.()
      try {
        await this.options.execute(next.branch, next.resume, this.abort.signal)
      } catch (thrown) {
        this.options.events.emit({ type: 'error', error: toAppError(thrown), branch: next.branch })
      } finally {
        this.current = null
        this.options.onChange?.()
      }
    }
  }
}
