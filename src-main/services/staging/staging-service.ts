import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { PairingProblem } from '@wms/shared/dataset/pairing'
import { WmsError } from '@wms/shared/errors'
import { statusFromIssues, summarizeStaging } from '@wms/shared/staging/summarize-staging'
import type { StagedFile, StagedPair, StagedProblem, StagingSnapshot } from '@wms/shared/staging/staging-types'
import { StagingStore, type StoredFile } from 'training-runner/staging/staging-store'
import type { EventHub } from '../../ipc/event-hub.js'
import type { Disposable } from '../disposables.js'
import type { PairFixer, QaChecker, QaPairInput, QaPairVerdict } from './qa-checker.js'

/** Options of {@link StagingService.open}. */
export interface StagingServiceOptions {
  /** `.wms/staging` inside the workspace. */
  dir: string
  events: EventHub
  qa: QaChecker
  fix: PairFixer
  /** Describes files that do not form a pair (the QA engine's pairing rules). */
  describePairingProblem: (problem: PairingProblem) => StagedProblem
  /** The demo's `incoming/` folder, when the workspace is the demo. */
  demoIncoming?: string
}

interface Verdict extends QaPairVerdict {
  revision: number
  /** Unique per stored verdict (cache key of the pair's view). */
  stamp: number
}

const FLUSH_MS = 100

/**
 * The staging area as a long-lived service: it stores what the renderer sends, runs QA on every change (off the
 * main thread, cancelling a run that new changes made stale), and streams what changed to every window.
 */
export class StagingService implements Disposable {
  private readonly verdicts = new Map<string, Verdict>()
  private readonly views = new Map<string, { key: string; view: StagedPair }>()
  private stamps = 0
  private readonly checking = new Set<string>()
  private readonly changed = new Set<string>()
  private readonly removed = new Set<string>()
  private known = new Set<string>()
  private run: AbortController | undefined
  private runScheduled = false
  private runQueued = false
  private lastPassMs = 0
  private flushTimer: NodeJS.Timeout | undefined
  private disposed = false
  private idleWaiters: (() => void)[] = []

  private constructor(
    readonly store: StagingStore,
    private readonly options: StagingServiceOptions,
  ) {}

  /** Opens the staging area and starts checking whatever a previous session left there. */
  static async open(options: StagingServiceOptions): Promise<StagingService> {
    const service = new StagingService(await StagingStore.open(options.dir), options)
    options.qa.prepare?.()
    service.known = new Set(service.pairs().map((pair) => pair.id))
    if (service.known.size > 0) service.scheduleQa()
    return service
  }

  /** The whole staging area. */
  snapshot(): StagingSnapshot {
    const pairs = this.pairs()
    return { pairs, problems: this.problems(), summary: summarizeStaging(pairs), submission: this.store.submission }
  }

  /** Stages uploaded files; QA follows in the background. */
  async addFiles(files: readonly { path: string; bytes: Uint8Array }[]) {
    const added: { path: string; relpath: string; id: string; replaced: boolean }[] = []
    const rejected: { path: string; reason: string }[] = []
    const results = await this.store.addFiles(files)
    for (const [index, result] of results.entries()) {
      const file = files[index]
      if (file === undefined) continue
      if (result.ok) {
        added.push({ path: file.path, relpath: result.relpath, id: result.stem, replaced: result.replaced })
        this.changed.add(result.stem)
      } else {
        rejected.push({ path: file.path, reason: result.reason })
      }
    }
    if (added.length > 0) this.onChange({ cancelRunning: false })
    return { added, rejected }
  }

  /** Stages the demo's `incoming/` folder. */
  async addDemoSamples(): Promise<{ added: number }> {
    const incoming = this.options.demoIncoming
    if (incoming === undefined) {
      throw new WmsError('usage/invalid-arguments', 'Demo samples exist only in the demo workspace.')
    }
    const uploads: { path: string; bytes: Uint8Array }[] = []
    for (const role of ['images', 'masks']) {
      for (const name of (await readdir(path.join(incoming, role))).sort()) {
        uploads.push({ path: `${role}/${name}`, bytes: await readFile(path.join(incoming, role, name)) })
      }
    }
    const { added } = await this.addFiles(uploads)
    return { added: added.length }
  }

  /** Removes pairs from the staging area. */
  async removePairs(ids: readonly string[]): Promise<{ removed: number }> {
    const present = ids.filter((id) => this.known.has(id))
    await this.store.removePairs(present)
    for (const id of present) {
      this.verdicts.delete(id)
      this.views.delete(id)
      this.removed.add(id)
    }
    this.onChange()
    return { removed: present.length }
  }

  /** Replaces one file of a pair, keeping its dataset name. */
  async replaceFile(
    id: string,
    role: 'image' | 'mask',
    file: { path: string; bytes: Uint8Array },
  ): Promise<{ relpath: string }> {
    const pair = this.pairs().find((candidate) => candidate.id === id)
    const current = role === 'image' ? pair?.image : pair?.mask
    if (pair === undefined || current === null || current === undefined) {
      throw new WmsError('fs/not-found', `No staged ${role} for ${id}.`, { hint: 'Refresh the list and try again.' })
    }
    const name = file.path.split(/[\\/]/).at(-1) ?? file.path
    const relpath = await this.store.replaceFile(current.relpath, name, file.bytes)
    this.changed.add(id)
    this.onChange()
    return { relpath }
  }

  /** Applies the safe fixes to pairs; the originals stay in the staging area's history. */
  async applyFixes(ids: readonly string[]): Promise<{ fixed: number; unchanged: number }> {
    let fixed = 0
    let unchanged = 0
    for (const id of ids) {
      const input = this.qaInputs().find((pair) => pair.id === id)
      if (input === undefined) continue
      const files = await this.options.fix(input)
      if (files.length === 0) {
        unchanged += 1
        continue
      }
      for (const file of files) await this.store.recordFix(file.relpath, file.bytes, file.fixes, file.newRelpath)
      this.changed.add(id)
      fixed += 1
    }
    if (fixed > 0) this.onChange()
    return { fixed, unchanged }
  }

  /** Marks a pair as a deliberate replacement of the dataset's pair with the same name. */
  async setReplacement(id: string, replacement: boolean): Promise<void> {
    await this.store.setReplacement(id, replacement)
    this.changed.add(id)
    this.onChange()
  }

  /** Empties the staging area. */
  async clear(): Promise<{ removed: number }> {
    return this.removePairs([...this.known])
  }

  /** Resolves when no QA run is pending or running (tests, the submit screen). */
  whenIdle(): Promise<void> {
    if (this.run === undefined && !this.runScheduled && !this.runQueued) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** The staged pairs as inputs for QA, fixes and the data branch. */
  qaInputs(): QaPairInput[] {
    const files = this.store.files
    const input = (relpath: string | undefined) =>
      relpath === undefined || files[relpath] === undefined ? null : { path: this.store.blobPath(relpath), relpath }
    const pairing = this.store.pairing()
    const fromPairs = pairing.pairs.map((pair) => ({ id: pair.stem, image: input(pair.image), mask: input(pair.mask) }))
    return fromPairs
  }

  /** Sends pending changes to the renderers now. */
  emitNow(): void {
    this.flush()
  }

  async dispose(): Promise<void> {
    this.disposed = true
    this.run?.abort()
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer)
    await this.options.qa.dispose()
  }

  private pairs(): StagedPair[] {
    const files = this.store.files
    return this.store.pairing().pairs.map((pair) => {
      const meta = this.store.meta(pair.stem)
      const verdict = this.verdicts.get(pair.stem)
      const current = verdict !== undefined && verdict.revision === meta.revision ? verdict : undefined
      // A pair's view changes only with its files (revision), its verdict or its checking state: reuse it otherwise.
      const key = `${String(meta.revision)}|${current === undefined ? (this.checking.has(pair.stem) ? 'c' : 'p') : String(current.stamp)}|${pair.image}|${pair.mask}`
      const cached = this.views.get(pair.stem)
      if (cached?.key === key) return cached.view
      const staged: StagedPair = {
        id: pair.stem,
        image: stagedFile(pair.image, files[pair.image]),
        mask: stagedFile(pair.mask, files[pair.mask]),
        status:
          current === undefined
            ? this.checking.has(pair.stem)
              ? 'checking'
              : 'pending'
            : statusFromIssues(current.issues),
        issues: current?.issues ?? [],
        fixes: meta.fixes,
        replacement: meta.replacement,
        revision: meta.revision,
      }
      if (current?.width !== undefined) staged.width = current.width
      if (current?.height !== undefined) staged.height = current.height
      if (current?.foreground !== undefined) staged.foreground = current.foreground
      this.views.set(pair.stem, { key, view: staged })
      return staged
    })
  }

  private problems(): StagedProblem[] {
    const files = this.store.files
    return this.store.pairing().problems.map((problem) => ({
      ...this.options.describePairingProblem(problem),
      // Show the names the user dropped; the message names the dataset path.
      files: problem.files.map((relpath) => files[relpath]?.originalName ?? relpath),
    }))
  }

  /**
   * After a change: tell the renderers, and check again. New files let the running QA pass finish (its verdicts
   * stay valid) and queue one more; a change to files being checked (removal, replacement, fix) cancels it.
   */
  private onChange(options: { cancelRunning: boolean } = { cancelRunning: true }): void {
    const current = new Set(this.pairs().map((pair) => pair.id))
    for (const id of this.known) if (!current.has(id)) this.removed.add(id)
    for (const id of current) if (!this.known.has(id)) this.changed.add(id)
    this.known = current
    if (options.cancelRunning) this.run?.abort()
    this.scheduleQa()
    this.scheduleFlush()
  }

  private scheduleQa(): void {
    if (this.runScheduled) return
    this.runScheduled = true
    // One pass at a time: a pass that is running is followed by one more, which sees everything added meanwhile.
    const start = (): void => {
      if (this.run !== undefined) {
        this.runQueued = true
        this.runScheduled = false
        return
      }
      this.runScheduled = false
      void this.runQa()
    }
    // The first pass starts at once; later ones wait about as long as the last took, so a stream of additions
    // is checked in a few large passes rather than many small ones.
    setTimeout(start, this.lastPassMs === 0 ? 30 : Math.min(2000, Math.max(200, this.lastPassMs)))
  }

  private async runQa(): Promise<void> {
    if (this.disposed) return
    const controller = new AbortController()
    this.run = controller
    const inputs = this.qaInputs()
    const revisions = new Map(inputs.map((pair) => [pair.id, this.store.meta(pair.id).revision]))
    // A pair with an outdated verdict (a fix, a new mask) shows as being re-checked; new pairs simply wait for
    // theirs — announcing "checking" for a thousand new pairs would cost the UI a full redraw for nothing.
    for (const pair of inputs) {
      const verdict = this.verdicts.get(pair.id)
      if (verdict !== undefined && verdict.revision !== revisions.get(pair.id)) {
        this.checking.add(pair.id)
        this.changed.add(pair.id)
      }
    }
    this.scheduleFlush()
    const accept = (verdict: QaPairVerdict): void => {
      const revision = revisions.get(verdict.id)
      if (revision === undefined || controller.signal.aborted) return
      const before = this.verdicts.get(verdict.id)
      const wasChecking = this.checking.delete(verdict.id)
      // Each pass re-judges every pair (cheaply, from the probe cache); only what changed travels to the UI.
      if (!wasChecking && before !== undefined && sameVerdict(before, { ...verdict, revision, stamp: 0 })) return
      this.stamps += 1
      this.verdicts.set(verdict.id, { ...verdict, revision, stamp: this.stamps })
      this.changed.add(verdict.id)
      this.scheduleFlush()
    }
    const passStarted = Date.now()
    try {
      const replacements = inputs.filter((pair) => this.store.meta(pair.id).replacement).map((pair) => pair.id)
      const final = await this.options.qa.run(
        { pairs: inputs, replacements },
        { signal: controller.signal, onPair: accept },
      )
      for (const verdict of final) accept(verdict)
      this.lastPassMs = Date.now() - passStarted
    } catch (thrown) {
      if (!controller.signal.aborted) {
        console.error('QA run failed:', thrown)
      }
    } finally {
      if (this.run === controller) {
        this.run = undefined
        this.checking.clear()
        this.flush()
        if (this.runQueued || controller.signal.aborted) {
          this.runQueued = false
          this.scheduleQa()
        } else if (!this.runScheduled) {
          for (const resolve of this.idleWaiters.splice(0)) resolve()
        }
      }
    }
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== undefined) return
    this.flushTimer = setTimeout(() => this.flush(), FLUSH_MS)
  }

  private flush(): void {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer)
    this.flushTimer = undefined
    const pairs = this.pairs()
    const changed = pairs.filter((pair) => this.changed.has(pair.id))
    this.options.events.emit('staging:updated', {
      pairs: changed,
      removed: [...this.removed],
      problems: this.problems(),
      summary: summarizeStaging(pairs),
      submission: this.store.submission,
    })
    this.changed.clear()
    this.removed.clear()
  }
}

function sameVerdict(a: Verdict, b: Verdict): boolean {
  return (
    a.revision === b.revision &&
    a.width === b.width &&
    a.height === b.height &&
    a.foreground === b.foreground &&
    JSON.stringify(a.issues) === JSON.stringify(b.issues)
  )
}

function stagedFile(relpath: string, stored: StoredFile | undefined): StagedFile | null {
  if (stored === undefined) return null
  return { relpath, originalName: stored.originalName, md5: stored.md5, bytes: stored.bytes, fixed: stored.fixed }
}
