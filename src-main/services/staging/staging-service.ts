import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { PairingProblem } from '@wms/shared/dataset/pairing'
import { WmsError } from '@wms/shared/errors'
import { wantsAutoFix } from '@wms/shared/staging/staging-rules'
import { statusFromIssues, summarizeStaging } from '@wms/shared/staging/summarize-staging'
import type {
  StagedFile,
  StagedPair,
  StagedProblem,
  StagingSettings,
  StagingSnapshot,
} from '@wms/shared/staging/staging-types'
import type { EventHub } from '../../ipc/event-hub.js'
import type { Disposable } from '../disposables.js'
import {
  applyPairFixes,
  replacePairFile,
  setPairReplacement,
  type PairEditContext,
  type PairFixOutcome,
} from './pair-edits.js'
import type { PairFixer, QaChecker, QaPairInput } from './qa-checker.js'
import { QaScheduler } from './qa-scheduler.js'
import { StagingStore, type RejectKind, type StoredFile } from './staging-store.js'
import { SubmittedBranches, type SubmittedBranchesOptions } from './submitted-branches.js'
import { freezeSubmittable, type Submittable, type SubmittableOptions } from './submittable.js'

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
  /** Where pushed, unmerged data branches are read from ("already submitted"); none in unit tests. */
  submitted?: SubmittedBranchesOptions
}

const FLUSH_MS = 100

/**
 * The staging area's state as a long-lived service: what is staged (the store), each pair's view (files, QA
 * verdict from the {@link QaScheduler}, fixes), and what changed, streamed to every window. Edits of pairs live in
 * `pair-edits.ts`, submitting in `submit-service.ts`.
 */
export class StagingService implements Disposable {
  private readonly views = new Map<string, { key: string; view: StagedPair }>()
  private readonly changed = new Set<string>()
  private readonly removed = new Set<string>()
  private known = new Set<string>()
  /** Models → Try it results by pair, for the revision they were made on (issue 17). Derived data: not persisted. */
  private readonly modelChecks = new Map<string, { revision: number; check: NonNullable<StagedPair['modelCheck']> }>()
  private flushTimer: NodeJS.Timeout | undefined
  private readonly qa: QaScheduler
  private readonly edits: PairEditContext
  private readonly submittedBranches: SubmittedBranches | undefined
  /** Pairs waiting for (or in) the fixes on add; they show as being checked, not as needing attention. */
  private readonly autoFixing = new Set<string>()
  private autoFixRun: Promise<void> | undefined

  private constructor(
    readonly store: StagingStore,
    private readonly options: StagingServiceOptions,
  ) {
    this.qa = new QaScheduler({
      qa: options.qa,
      inputs: () => {
        const pairs = this.qaInputs()
        const revisions = new Map(pairs.map((pair) => [pair.sampleId, this.store.meta(pair.sampleId).revision]))
        const replacements = pairs.filter((pair) => this.store.meta(pair.sampleId).replacement)
        return { pairs, revisions, replacements: replacements.map((pair) => pair.sampleId) }
      },
      onChanged: (ids, now) => {
        for (const id of ids) this.changed.add(id)
        this.queueAutoFixes(ids)
        if (now === true) this.flush()
        else this.scheduleFlush()
      },
    })
    this.submittedBranches = options.submitted === undefined ? undefined : new SubmittedBranches(options.submitted)
    this.edits = {
      store,
      fix: options.fix,
      inputs: () => this.qaInputs(),
      pairs: () => this.pairs(),
      changed: (ids, change) => {
        for (const id of ids) this.changed.add(id)
        this.onChange(change)
      },
    }
  }

  /** Opens the staging area and starts checking whatever a previous session left there. */
  static async open(options: StagingServiceOptions): Promise<StagingService> {
    const service = new StagingService(await StagingStore.open(options.dir), options)
    options.qa.prepare?.()
    service.known = new Set(service.pairs().map((pair) => pair.id))
    if (service.known.size > 0) service.qa.schedule()
    void service.refreshSubmitted()
    return service
  }

  /** The whole staging area. */
  snapshot(): StagingSnapshot {
    const pairs = this.pairs()
    return {
      pairs,
      problems: this.problems(),
      summary: summarizeStaging(pairs),
      submission: this.store.submission,
      settings: this.store.settings,
      undo: this.store.undoLabel,
    }
  }

  /** The staged set frozen for a submission, with its blockers, from this instant (synchronous on purpose). */
  submittable(options: SubmittableOptions = {}): Submittable {
    return freezeSubmittable(
      {
        pairs: this.pairs(),
        seen: (id) => this.qa.verdict(id, this.store.meta(id).revision)?.seen,
        stored: (relpath) => this.store.files[relpath],
      },
      options,
    )
  }

  /** The staging area's workspace settings. */
  get settings(): StagingSettings {
    return this.store.settings
  }

  /** Changes the settings; turning the fixes on add on applies them to the pairs already checked. */
  async setSettings(change: Partial<StagingSettings>): Promise<StagingSettings> {
    const settings = await this.store.setSettings(change)
    if (settings.fixOnAdd) this.queueAutoFixes(this.pairs().map((pair) => pair.id))
    return settings
  }

  /**
   * Reads the pushed, unmerged data branches again (after a push, after files are added), and shows the pairs
   * on them as already submitted.
   */
  async refreshSubmitted(): Promise<void> {
    if (this.submittedBranches === undefined) return
    if (await this.submittedBranches.refresh()) {
      for (const id of this.known) this.changed.add(id)
      this.scheduleFlush()
    }
  }

  /** Stages uploaded files; QA follows in the background. */
  async addFiles(files: readonly { path: string; bytes: Uint8Array }[]) {
    const added: { path: string; relpath: string; id: string; replaced: boolean }[] = []
    const rejected: { path: string; reason: string; kind: RejectKind }[] = []
    const results = await this.store.addFiles(files)
    for (const [index, result] of results.entries()) {
      const file = files[index]
      if (file === undefined) continue
      if (result.ok) {
        added.push({ path: file.path, relpath: result.relpath, id: result.stem, replaced: result.replaced })
        this.changed.add(result.stem)
      } else {
        rejected.push({ path: file.path, reason: result.reason, kind: result.kind })
      }
    }
    // A file replaced under a running pass makes its verdict stale: that pass is cancelled, not trusted.
    if (added.length > 0) this.onChange({ cancelRunning: added.some((file) => file.replaced) })
    if (added.length > 0) void this.refreshSubmitted()
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

  /** Removes pairs, or files without a partner by their problem's id, from the staging area (can be undone). */
  async removePairs(ids: readonly string[]): Promise<{ removed: number }> {
    const [first] = ids
    const label = ids.length === 1 && first !== undefined ? `Removed ${first}` : `Removed ${String(ids.length)} pairs`
    return this.afterRemoval(await this.store.removePairs(ids, { undoLabel: label }))
  }

  /** Undoes the last removal, replacement or fix: the pairs come back as they were, and QA checks them again. */
  async undo(): Promise<{ undone: string | null }> {
    const undone = await this.store.undo()
    if (undone === null) return { undone: null }
    for (const id of undone.stems) this.changed.add(id)
    this.onChange()
    return { undone: undone.label }
  }

  /** Empties the staging area: every staged file, paired or not. */
  async clear(): Promise<{ removed: number }> {
    return this.afterRemoval(await this.store.clearFiles())
  }

  /** After a push: removes the pushed pairs still at the revision that was pushed (see the store). */
  async removeSubmitted(pairs: readonly { id: string; revision: number }[]): Promise<{ removed: number }> {
    return this.afterRemoval(await this.store.removeSubmitted(pairs))
  }

  /** Replaces one file of a pair with uploaded bytes, keeping its dataset name. */
  replacePairFile(
    id: string,
    role: 'image' | 'mask',
    file: { path: string; bytes: Uint8Array },
  ): Promise<{ relpath: string }> {
    return replacePairFile(this.edits, id, role, file)
  }

  /** Applies the safe fixes to pairs (can be undone); the originals stay until the pairs are submitted. */
  applyFixes(ids: readonly string[]): Promise<{ fixed: number; unchanged: number; results: PairFixOutcome[] }> {
    return applyPairFixes(this.edits, ids)
  }

  /** Marks a pair as a deliberate replacement of the dataset's pair with the same name. */
  setReplacement(id: string, replacement: boolean): Promise<void> {
    return setPairReplacement(this.edits, id, replacement)
  }

  /** Checks the staged pairs again after a failed QA run. */
  retryQa(): void {
    this.qa.retry()
  }

  /** Resolves when no QA run and no fix on add is pending or running (tests, the submit screen). */
  async whenIdle(): Promise<void> {
    for (;;) {
      await this.qa.whenIdle()
      if (this.autoFixRun === undefined && this.autoFixing.size === 0) return
      await this.autoFixRun
    }
  }

  /** The staged pairs as the runner's QA inputs (their files in the store's blob folder). */
  qaInputs(): QaPairInput[] {
    const root = path.join(this.store.dir, 'blobs')
    const file = (relpath: string) => ({ path: this.store.blobPath(relpath), relpath, root })
    return this.store
      .pairing()
      .pairs.map((pair) => ({ sampleId: pair.stem, image: file(pair.image), mask: file(pair.mask) }))
  }

  /** A staged pair's current revision (bumped whenever one of its files changes). */
  revisionOf(id: string): number {
    return this.store.meta(id).revision
  }

  /**
   * Notes a model's prediction compared with the pair's mask (Models → Try it). It shows on the pair while the pair
   * stays at `revision`: a replaced or fixed mask drops it.
   */
  recordModelCheck(id: string, revision: number, check: NonNullable<StagedPair['modelCheck']>): void {
    this.modelChecks.set(id, { revision, check })
    this.changed.add(id)
    this.scheduleFlush()
  }

  /** Sends pending changes to the renderers now. */
  emitNow(): void {
    this.flush()
  }

  async dispose(): Promise<void> {
    this.autoFixing.clear()
    await this.autoFixRun
    this.qa.dispose()
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer)
    await this.options.qa.dispose()
  }

  private afterRemoval(ids: readonly string[]): { removed: number } {
    this.qa.forget(ids)
    for (const id of ids) {
      this.views.delete(id)
      this.modelChecks.delete(id)
      this.removed.add(id)
    }
    this.onChange()
    return { removed: ids.length }
  }

  private pairs(): StagedPair[] {
    const files = this.store.files
    return this.store.pairing().pairs.map((pair) => {
      const meta = this.store.meta(pair.stem)
      const verdict = this.qa.verdict(pair.stem, meta.revision)
      const checking = verdict === undefined && this.qa.isChecking(pair.stem)
      const qaError = verdict === undefined ? this.qa.failure(pair.stem, meta.revision) : undefined
      // A pair's view changes only with its files (revision), its verdict or its checking state: reuse it otherwise.
      const state = verdict === undefined ? (checking ? 'c' : `p${qaError ?? ''}`) : String(verdict.stamp)
      const modelCheck = this.modelChecks.get(pair.stem)
      const check = modelCheck?.revision === meta.revision ? modelCheck.check : undefined
      const fixing = this.autoFixing.has(pair.stem)
      const key = `${String(meta.revision)}|${state}|${String(meta.replacement)}|${pair.image}|${pair.mask}|${String(fixing)}|${String(this.submittedBranches?.version ?? 0)}|${check?.checkedAt ?? ''}`
      const cached = this.views.get(pair.stem)
      if (cached?.key === key) return cached.view
      const staged: StagedPair = {
        id: pair.stem,
        image: stagedFile(pair.image, files[pair.image]),
        mask: stagedFile(pair.mask, files[pair.mask]),
        status: verdict === undefined ? (checking ? 'checking' : 'pending') : statusFromIssues(verdict.issues),
        issues: verdict?.issues ?? [],
        fixes: meta.fixes,
        replacement: meta.replacement,
        revision: meta.revision,
      }
      const submitted = verdict === undefined ? undefined : this.submittedBranches?.issueFor(staged)
      if (submitted !== undefined) {
        staged.issues = [submitted, ...staged.issues]
        staged.status = statusFromIssues(staged.issues)
      }
      // Waiting for the fixes on add: being checked, not yet a finding for a person.
      if (fixing && verdict !== undefined) staged.status = 'checking'
      if (meta.autoFixed) staged.autoFixed = true
      if (meta.addedAt !== undefined) staged.addedAt = meta.addedAt
      if (qaError !== undefined) staged.qaError = qaError
      if (check !== undefined) staged.modelCheck = check
      if (verdict?.width !== undefined) staged.width = verdict.width
      if (verdict?.height !== undefined) staged.height = verdict.height
      if (verdict?.foreground !== undefined) staged.foreground = verdict.foreground
      this.views.set(pair.stem, { key, view: staged })
      return staged
    })
  }

  // Pairs whose new verdict has format-only findings with a safe fix get them, once per set of files, when the
  // workspace setting says so. They run one batch at a time, after the verdicts that asked for them.
  private queueAutoFixes(ids: Iterable<string>): void {
    if (!this.store.settings.fixOnAdd) return
    let queued = false
    for (const id of ids) {
      const meta = this.store.meta(id)
      const verdict = this.qa.verdict(id, meta.revision)
      if (verdict === undefined || meta.autoFixTried || this.autoFixing.has(id)) continue
      if (!wantsAutoFix(verdict.issues)) continue
      this.autoFixing.add(id)
      this.changed.add(id)
      queued = true
    }
    if (queued && this.autoFixRun === undefined) this.autoFixRun = this.runAutoFixes()
  }

  private async runAutoFixes(): Promise<void> {
    try {
      while (this.autoFixing.size > 0) {
        const batch = [...this.autoFixing].slice(0, 16)
        try {
          await applyPairFixes(this.edits, batch, { auto: true })
        } catch (thrown) {
          // A fix that fails leaves the pair as added, with its findings: the user can still fix or remove it.
          console.error('Fixing pairs on add failed:', thrown)
          for (const id of batch) await this.store.markAutoFixTried(id).catch(() => undefined)
        }
        for (const id of batch) {
          this.autoFixing.delete(id)
          this.changed.add(id)
        }
        this.scheduleFlush()
      }
    } finally {
      this.autoFixRun = undefined
    }
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
    if (options.cancelRunning) this.qa.cancel()
    this.qa.schedule()
    this.scheduleFlush()
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
      undo: this.store.undoLabel,
    })
    this.changed.clear()
    this.removed.clear()
  }
}

function stagedFile(relpath: string, stored: StoredFile | undefined): StagedFile | null {
  if (stored === undefined) return null
  return { relpath, originalName: stored.originalName, md5: stored.md5, bytes: stored.bytes, fixed: stored.fixed }
}
