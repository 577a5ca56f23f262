import path from 'node:path'
import { toAppError, WmsError } from '@wms/shared/errors'
import { dataBranchName, submissionMessage } from '@wms/shared/staging/dataset-layout'
import type { SubmissionState, SubmitPreview } from '@wms/shared/staging/staging-types'
import {
  commitDataBranch,
  deleteDataBranch,
  openRepo,
  pushDataBranch,
  runGit,
  verifyDataBranch,
  type BranchFile,
} from 'training-runner'
import type { Disposable } from '../disposables.js'
import type { FrozenPair } from './staging-store.js'
import type { StagingService } from './staging-service.js'
import type { Submittable, SubmittableOptions } from './submittable.js'

/** What a submission is started with: the review's commit message and branch name, and how to treat blocked pairs. */
export interface StartOptions extends SubmittableOptions {
  message?: string
  /** The branch the review showed; used when it is still free, so the branch pushed is the branch shown. */
  branch?: string
}

/** Options of {@link SubmitService}. */
export interface SubmitServiceOptions {
  workspaceRoot: string
  datasetRoot: string
  remote?: string
  now?: () => Date
  /** Waits before automatic retries of a push that failed for a retryable reason (offline). */
  retryDelaysMs?: readonly number[]
}

const DEFAULT_RETRY_DELAYS = [5_000, 15_000, 60_000, 5 * 60_000]
const ACTIVE_PHASES: readonly SubmissionState['phase'][] = ['committing', 'pushing', 'queued']

/**
 * Submitting the staged pairs: review (exactly what will be pushed), commit them on a new data branch, push with
 * progress. The submission freezes what it pushes — each pair's revision and each file's bytes by the hash QA
 * read — from one snapshot; changes that arrive meanwhile stay staged. A push that fails because the remote is
 * unreachable is queued and retried with backoff, also after a restart; a crash while committing is resumed or
 * rolled back at the next start, and the user is told which.
 */
export class SubmitService implements Disposable {
  private retryTimer: NodeJS.Timeout | undefined
  private busy = false
  private readonly remote: string
  private readonly now: () => Date
  private readonly delays: readonly number[]

  constructor(
    private readonly staging: StagingService,
    private readonly options: SubmitServiceOptions,
  ) {
    this.remote = options.remote ?? 'origin'
    this.now = options.now ?? (() => new Date())
    this.delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS
  }

  /** Picks up a submission a previous session left queued, pushing, or interrupted while committing. */
  async resume(): Promise<void> {
    const submission = this.staging.store.submission
    if (submission === null) return
    if (submission.phase === 'committing') {
      await this.recoverCommit(submission)
      return
    }
    if (submission.phase === 'pushing' || submission.phase === 'queued') this.scheduleRetry(submission, 0)
    // Pushed, but the app stopped before the pushed pairs left the staging area: finish that now.
    if (submission.phase === 'pushed' && this.staging.store.submitted.length > 0) await this.releasePushed(submission)
  }

  /** What a submit would push, under which branch name, and what blocks it. */
  async preview(options: SubmittableOptions = {}): Promise<SubmitPreview> {
    const submittable = this.staging.submittable(options)
    const snapshot = this.staging.snapshot()
    const outside = await this.outsideBlockers()
    return this.describe({ submittable, snapshot, outside, branch: await this.freeBranchName() }, undefined)
  }

  /** Commits exactly the staged pairs QA passed, as they are at this instant, on a data branch, and pushes it. */
  async start(options: StartOptions = {}): Promise<SubmissionState> {
    if (this.busy) throw new WmsError('usage/invalid-arguments', 'A submission is already running.')
    this.busy = true
    try {
      // Frozen before any await: a file that arrives a moment later is not in this submission, checked or not.
      const submittable = this.staging.submittable(options)
      const { frozen } = submittable
      const snapshot = this.staging.snapshot()
      const outside = await this.outsideBlockers()
      const branch = await this.freeBranchName(options.branch)
      const preview = this.describe({ submittable, snapshot, outside, branch }, options.message)
      if (preview.blockers.length > 0) {
        throw new WmsError('usage/invalid-arguments', `Cannot submit yet: ${preview.blockers.join(' ')}`, {
          hint: 'Resolve the listed points, then submit again.',
        })
      }
      const committing: SubmissionState = {
        branch,
        message: preview.message,
        phase: 'committing',
        attempts: 0,
        pairIds: frozen.map((pair) => pair.id),
      }
      await this.update(committing, frozen)
      let commit: string
      try {
        commit = (await commitDataBranch({ ...this.branchTarget(frozen), message: preview.message, branch })).commit
      } catch (thrown) {
        return await this.update({ ...committing, phase: 'failed', error: toAppError(thrown) }, [])
      }
      const pushing: SubmissionState = { ...committing, phase: 'pushing', commit }
      await this.update(pushing)
      return await this.push(pushing)
    } finally {
      this.busy = false
    }
  }

  /** Retries a queued or failed push now. */
  async retry(): Promise<SubmissionState> {
    const submission = this.staging.store.submission
    if (submission?.commit === undefined) {
      throw new WmsError('usage/invalid-arguments', 'There is no submission to retry.', {
        hint: 'Submit the staged pairs instead.',
      })
    }
    if (submission.phase === 'pushed') return submission
    this.clearRetry()
    return this.push(submission)
  }

  /** Forgets a pushed or failed submission (the data branch stays in git). */
  async dismiss(): Promise<void> {
    const submission = this.staging.store.submission
    if (submission !== null && (submission.phase === 'pushing' || submission.phase === 'committing')) {
      throw new WmsError('usage/invalid-arguments', 'The push is still running; wait for it to finish.')
    }
    this.clearRetry()
    await this.update(null)
  }

  dispose(): void {
    this.clearRetry()
  }

  // The app stopped (crash, kill -9, power) while committing. The branch is made in one atomic step at the end,
  // so it is either complete — then the push goes on — or absent; anything else is removed, and the pairs are
  // still staged. Either way the user hears what happened.
  private async recoverCommit(submission: SubmissionState): Promise<void> {
    const frozen = this.staging.store.submitted
    let commit: string | undefined
    let problem: string | undefined
    try {
      commit = await verifyDataBranch({ ...this.branchTarget(frozen), branch: submission.branch })
    } catch (thrown) {
      problem = toAppError(thrown).message
      await deleteDataBranch(this.options.workspaceRoot, submission.branch).catch(() => undefined)
    }
    if (commit !== undefined) {
      const resumed: SubmissionState = {
        ...submission,
        phase: 'pushing',
        commit,
        notice: `WMS Studio stopped while committing this submission. Its branch ${submission.branch} was complete, so the push was resumed.`,
      }
      await this.update(resumed)
      this.scheduleRetry(resumed, 0)
      return
    }
    const pairs = submission.pairIds.length
    await this.update(
      {
        ...submission,
        phase: 'failed',
        error: {
          code: 'cancelled',
          message: `WMS Studio stopped while committing the submission of ${String(pairs)} pair${pairs === 1 ? '' : 's'}; nothing was pushed${problem === undefined ? '' : ` and the half-made branch ${submission.branch} was removed (${problem})`}.`,
          hint: 'Your pairs are still staged. Review them and submit again.',
        },
        notice: 'The interrupted submission was rolled back.',
      },
      [],
    )
  }

  private branchTarget(frozen: readonly FrozenPair[]) {
    const blobs = path.join(this.staging.store.dir, 'blobs')
    const files: BranchFile[] = frozen.flatMap((pair) =>
      pair.files.map((file) => ({ relpath: file.relpath, source: path.join(blobs, file.blob), md5: file.md5 })),
    )
    return { workspace: this.options.workspaceRoot, datasetRoot: this.options.datasetRoot, files }
  }

  private describe(
    seen: {
      submittable: Submittable
      snapshot: ReturnType<StagingService['snapshot']>
      outside: { blockers: string[]; remote: { name: string; url: string } | undefined }
      branch: string
    },
    message: string | undefined,
  ): SubmitPreview {
    const { submittable, snapshot, outside } = seen
    const { frozen } = submittable
    const blockers = [...submittable.blockers, ...outside.blockers]
    const files = frozen.flatMap((pair) => pair.files.map((file) => ({ relpath: file.relpath, bytes: file.bytes })))
    const frozenIds = new Set(frozen.map((pair) => pair.id))
    const going = snapshot.pairs.filter((pair) => frozenIds.has(pair.id))
    const fixes = going.filter((pair) => pair.fixes.length > 0).length
    const warnings = going.filter((pair) => pair.status === 'warning').length
    return {
      branch: seen.branch,
      message: message ?? submissionMessage(frozen.length, fixes, warnings),
      pairs: frozen.length,
      files,
      bytes: files.reduce((sum, file) => sum + file.bytes, 0),
      remote: outside.remote ?? { name: this.remote, url: '' },
      blockers,
      warnings,
      unpairedFiles: snapshot.problems.reduce((sum, problem) => sum + problem.files.length, 0),
      pairIds: frozen.map((pair) => pair.id),
      blocked: submittable.blocked,
      ready: submittable.ready,
      gps: submittable.gps,
    }
  }

  // What blocks a submission besides the staged set: no remote, or a submission still on its way.
  private async outsideBlockers(): Promise<{ blockers: string[]; remote: { name: string; url: string } | undefined }> {
    const blockers: string[] = []
    const active = this.staging.store.submission
    const remote = await this.remoteInfo()
    if (remote === undefined) blockers.push(`The workspace has no git remote named ${this.remote}.`)
    if (active !== null && ACTIVE_PHASES.includes(active.phase)) {
      blockers.push(`The submission on ${active.branch} is not pushed yet: retry or wait for it first.`)
    }
    return { blockers, remote }
  }

  // The wanted name (the one the review showed) when it is still free; else the first free name for now.
  private async freeBranchName(wanted?: string): Promise<string> {
    const git = openRepo(this.options.workspaceRoot)
    const listed = await runGit('branch', () => git.raw(['branch', '--list', 'data/*', '--format=%(refname:short)']))
    const existing = new Set(listed.split('\n'))
    if (wanted !== undefined && !existing.has(wanted)) return wanted
    const now = this.now()
    for (let attempt = 1; ; attempt += 1) {
      const name = dataBranchName(now, attempt)
      if (!existing.has(name)) return name
    }
  }

  private async push(state: SubmissionState): Promise<SubmissionState> {
    const attempt: SubmissionState = { ...state, phase: 'pushing', attempts: state.attempts + 1, progress: 0 }
    delete attempt.error
    delete attempt.nextRetryAt
    await this.update(attempt)
    let lastReport = 0
    try {
      await pushDataBranch(this.options.workspaceRoot, state.branch, {
        remote: this.remote,
        onProgress: ({ stage, progress }) => {
          if (Date.now() - lastReport < 250) return
          lastReport = Date.now()
          void this.update({ ...attempt, progress, stage })
        },
      })
    } catch (thrown) {
      return this.pushFailed(attempt, thrown)
    }
    // Pushed: the pairs that went out leave the staging area — each only if it is still at the revision that was
    // pushed. A pair changed during the push (a mask dropped again) stays staged as its new revision.
    const pushed: SubmissionState = { ...attempt, phase: 'pushed', progress: 1 }
    delete pushed.stage
    await this.update(pushed)
    return this.releasePushed(pushed)
  }

  private async releasePushed(pushed: SubmissionState): Promise<SubmissionState> {
    await this.staging.removeSubmitted(this.staging.store.submitted)
    const released = await this.update(pushed, [])
    // Pairs that stayed (changed during the push) and pairs added again now sit on a pushed branch.
    await this.staging.refreshSubmitted()
    return released
  }

  private async pushFailed(attempt: SubmissionState, thrown: unknown): Promise<SubmissionState> {
    const error = toAppError(thrown)
    if (error.retryable === true) {
      const delay = this.delays[Math.min(attempt.attempts - 1, this.delays.length - 1)] ?? 60_000
      const queued: SubmissionState = { ...attempt, phase: 'queued', error, nextRetryAt: Date.now() + delay }
      delete queued.progress
      await this.update(queued)
      this.scheduleRetry(queued, delay)
      return queued
    }
    const failed: SubmissionState = { ...attempt, phase: 'failed', error }
    delete failed.progress
    return this.update(failed)
  }

  private scheduleRetry(state: SubmissionState, delay: number): void {
    this.clearRetry()
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      void this.push(state)
    }, delay)
    this.retryTimer.unref()
  }

  private clearRetry(): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer)
    this.retryTimer = undefined
  }

  private async update<S extends SubmissionState | null>(state: S, submitted?: readonly FrozenPair[]): Promise<S> {
    await this.staging.store.setSubmission(state, submitted)
    this.staging.emitNow()
    return state
  }

  private async remoteInfo(): Promise<{ name: string; url: string } | undefined> {
    const remotes = await runGit('remote', () => openRepo(this.options.workspaceRoot).getRemotes(true))
    const remote = remotes.find((candidate) => candidate.name === this.remote)
    return remote === undefined ? undefined : { name: remote.name, url: remote.refs.push || remote.refs.fetch }
  }
}
