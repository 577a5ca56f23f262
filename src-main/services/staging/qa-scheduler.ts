import type { QaChecker, QaPairInput, QaPairVerdict } from './qa-checker.js'

/** A verdict as the staging area keeps it: for which revision of the pair, and a stamp for view caching. */
export interface Verdict extends QaPairVerdict {
  revision: number
  /** Unique per stored verdict (cache key of the pair's view). */
  stamp: number
}

/** A QA pass that failed: why, and which pairs it left unchecked (at which revision). */
export interface QaFailure {
  message: string
  revisions: ReadonlyMap<string, number>
}

/** What the scheduler needs from the staging area. */
export interface QaSchedulerOptions {
  qa: QaChecker
  /** The pairs to check now, with their current revisions and the ids declared as replacements. */
  inputs: () => { pairs: QaPairInput[]; revisions: ReadonlyMap<string, number>; replacements: string[] }
  /** Pairs whose view changed (a verdict, a checking state, a failure); `now` sends them at once. */
  onChanged: (ids: Iterable<string>, now?: boolean) => void
  /** Where failures are logged besides the UI. */
  log?: (message: string, thrown: unknown) => void
}

/**
 * QA scheduling for the staging area: coalesces changes into passes, runs one pass at a time (a pass that a
 * removal or fix made stale is cancelled), keeps each pair's verdict for the revision it judged, and — when a pass
 * fails — keeps the reason for the pairs it left unchecked until the user retries or the next change re-checks.
 */
export class QaScheduler {
  private readonly verdicts = new Map<string, Verdict>()
  private readonly checking = new Set<string>()
  private stamps = 0
  private run: AbortController | undefined
  private runScheduled = false
  private runQueued = false
  private lastPassMs = 0
  private disposed = false
  private idleWaiters: (() => void)[] = []
  private lastFailure: QaFailure | undefined

  constructor(private readonly options: QaSchedulerOptions) {}

  /** The verdict for this revision of a pair, if QA has judged it. */
  verdict(id: string, revision: number): Verdict | undefined {
    const verdict = this.verdicts.get(id)
    return verdict?.revision === revision ? verdict : undefined
  }

  /** True while the pair is being re-checked. */
  isChecking(id: string): boolean {
    return this.checking.has(id)
  }

  /** Why QA could not check this revision of a pair, if its last pass failed. */
  failure(id: string, revision: number): string | undefined {
    return this.lastFailure?.revisions.get(id) === revision ? this.lastFailure.message : undefined
  }

  /** Forgets removed pairs. */
  forget(ids: Iterable<string>): void {
    for (const id of ids) this.verdicts.delete(id)
  }

  /** Cancels the running pass (its inputs changed under it). */
  cancel(): void {
    this.run?.abort()
  }

  /** Checks again after a failure, at once. */
  retry(): void {
    const failed = this.lastFailure
    this.lastFailure = undefined
    if (failed !== undefined) this.options.onChanged(failed.revisions.keys())
    this.lastPassMs = 0
    this.schedule()
  }

  /** Resolves when no QA run is pending or running (tests, the submit screen). */
  whenIdle(): Promise<void> {
    if (this.run === undefined && !this.runScheduled && !this.runQueued) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Schedules a pass: one at a time; one that is running is followed by one more that sees everything since. */
  schedule(): void {
    if (this.runScheduled || this.disposed) return
    this.runScheduled = true
    const start = (): void => {
      this.runScheduled = false
      if (this.run !== undefined) {
        this.runQueued = true
        return
      }
      void this.runPass()
    }
    // The first pass starts at once; later ones wait about as long as the last took, so a stream of additions
    // is checked in a few large passes rather than many small ones.
    setTimeout(start, this.lastPassMs === 0 ? 30 : Math.min(2000, Math.max(200, this.lastPassMs)))
  }

  dispose(): void {
    this.disposed = true
    this.run?.abort()
  }

  private async runPass(): Promise<void> {
    if (this.disposed) return
    const controller = new AbortController()
    this.run = controller
    const { pairs, revisions, replacements } = this.options.inputs()
    this.markRechecks(pairs, revisions)
    const accept = (verdict: QaPairVerdict): void => {
      if (!controller.signal.aborted) this.accept(verdict, revisions.get(verdict.id))
    }
    const passStarted = Date.now()
    try {
      const final = await this.options.qa.run({ pairs, replacements }, { signal: controller.signal, onPair: accept })
      for (const verdict of final) accept(verdict)
      this.lastPassMs = Date.now() - passStarted
      if (!controller.signal.aborted) this.lastFailure = undefined
    } catch (thrown) {
      if (!controller.signal.aborted) this.recordFailure(thrown, revisions)
    } finally {
      this.finishPass(controller)
    }
  }

  // A pair with an outdated verdict (a fix, a new mask) shows as being re-checked; new pairs simply wait for
  // theirs — announcing "checking" for a thousand new pairs would cost the UI a full redraw for nothing.
  private markRechecks(pairs: readonly QaPairInput[], revisions: ReadonlyMap<string, number>): void {
    const rechecked: string[] = []
    for (const pair of pairs) {
      const verdict = this.verdicts.get(pair.sampleId)
      if (verdict !== undefined && verdict.revision !== revisions.get(pair.sampleId)) {
        this.checking.add(pair.sampleId)
        rechecked.push(pair.sampleId)
      }
    }
    if (rechecked.length > 0) this.options.onChanged(rechecked)
  }

  private accept(verdict: QaPairVerdict, revision: number | undefined): void {
    if (revision === undefined) return
    const before = this.verdicts.get(verdict.id)
    const wasChecking = this.checking.delete(verdict.id)
    // Each pass re-judges every pair (cheaply, from the probe cache); only what changed travels to the UI.
    if (!wasChecking && before !== undefined && sameVerdict(before, { ...verdict, revision, stamp: 0 })) return
    this.stamps += 1
    this.verdicts.set(verdict.id, { ...verdict, revision, stamp: this.stamps })
    this.options.onChanged([verdict.id])
  }

  private recordFailure(thrown: unknown, revisions: ReadonlyMap<string, number>): void {
    const reason = thrown instanceof Error ? thrown.message : String(thrown)
    ;(this.options.log ?? ((message, error) => console.error(message, error)))('QA run failed:', thrown)
    const unchecked = new Map([...revisions].filter(([id, revision]) => this.verdict(id, revision) === undefined))
    this.lastFailure = { message: reason, revisions: unchecked }
    this.options.onChanged(unchecked.keys())
  }

  private finishPass(controller: AbortController): void {
    if (this.run !== controller) return
    this.run = undefined
    const wasChecking = [...this.checking]
    this.checking.clear()
    this.options.onChanged(wasChecking, true)
    if (this.disposed) return
    // A failed pass is not retried by itself (it would fail again the same way): the user retries, or a change does.
    if (this.runQueued || controller.signal.aborted) {
      this.runQueued = false
      this.schedule()
    } else if (!this.runScheduled) {
      for (const resolve of this.idleWaiters.splice(0)) resolve()
    }
  }
}

function sameVerdict(a: Verdict, b: Verdict): boolean {
  return (
    a.revision === b.revision &&
    a.width === b.width &&
    a.height === b.height &&
    a.foreground === b.foreground &&
    a.seen?.image === b.seen?.image &&
    a.seen?.mask === b.seen?.mask &&
    JSON.stringify(a.issues) === JSON.stringify(b.issues)
  )
}
