import { toAppError, WmsError } from '@wms/shared/errors'
import { dataBranchName, submissionMessage } from '@wms/shared/staging/dataset-layout'
import type { SubmissionState, SubmitPreview } from '@wms/shared/staging/staging-types'
import { commitDataBranch, openRepo, pushDataBranch, runGit } from 'training-runner'
import type { Disposable } from '../disposables.js'
import type { StagingService } from './staging-service.js'

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

/**
 * Submitting the staged pairs: review (exactly what will be pushed), commit them on a new data branch, push with
 * progress. A push that fails because the remote is unreachable is queued and retried with backoff — also after a
 * restart; the staged pairs stay until the push succeeds.
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

  /** Picks up a submission a previous session left queued or interrupted. */
  async resume(): Promise<void> {
    const submission = this.staging.store.submission
    if (submission === null) return
    if (submission.phase === 'committing' || (submission.commit === undefined && submission.phase !== 'pushed')) {
      // Interrupted before its commit existed: nothing was pushed, the staged pairs are all still there.
      await this.update(null)
      return
    }
    if (submission.phase === 'pushing' || submission.phase === 'queued') this.scheduleRetry(submission, 0)
  }

  /** What a submit would push, and what blocks it. */
  async preview(message?: string): Promise<SubmitPreview> {
    const snapshot = this.staging.snapshot()
    const files = this.staging
      .qaInputs()
      .flatMap((pair) => [pair.image, pair.mask])
      .flatMap((file) =>
        file === null ? [] : [{ relpath: file.relpath, bytes: this.staging.store.files[file.relpath]?.bytes ?? 0 }],
      )
    const remote = await this.remoteInfo()
    const blockers: string[] = []
    const { byStatus } = snapshot.summary
    if (snapshot.pairs.length === 0) blockers.push('Nothing is staged: add image/mask pairs first.')
    if (byStatus.error > 0)
      blockers.push(
        `${String(byStatus.error)} pair${byStatus.error === 1 ? ' has' : 's have'} QA errors: fix or remove ${byStatus.error === 1 ? 'it' : 'them'} first.`,
      )
    if (byStatus.pending + byStatus.checking > 0)
      blockers.push(`QA is still checking ${String(byStatus.pending + byStatus.checking)} pair(s).`)
    if (remote === undefined) blockers.push(`The workspace has no git remote named ${this.remote}.`)
    const active = snapshot.submission
    if (active !== null && ['committing', 'pushing', 'queued'].includes(active.phase)) {
      blockers.push(`The submission on ${active.branch} is not pushed yet: retry or wait for it first.`)
    }
    const fixes = snapshot.pairs.filter((pair) => pair.fixes.length > 0).length
    return {
      branch: dataBranchName(this.now()),
      message: message ?? submissionMessage(snapshot.pairs.length, fixes, byStatus.warning),
      pairs: snapshot.pairs.length,
      files,
      bytes: files.reduce((sum, file) => sum + file.bytes, 0),
      remote: remote ?? { name: this.remote, url: '' },
      blockers,
      warnings: byStatus.warning,
      unpairedFiles: snapshot.problems.reduce((sum, problem) => sum + problem.files.length, 0),
    }
  }

  /** Commits the staged pairs on a data branch and starts pushing it. */
  async start(message?: string): Promise<SubmissionState> {
    if (this.busy) throw new WmsError('usage/invalid-arguments', 'A submission is already running.')
    const preview = await this.preview(message)
    if (preview.blockers.length > 0) {
      throw new WmsError('usage/invalid-arguments', `Cannot submit yet: ${preview.blockers.join(' ')}`, {
        hint: 'Resolve the listed points, then submit again.',
      })
    }
    this.busy = true
    try {
      const pairs = this.staging.qaInputs()
      const files = pairs
        .flatMap((pair) => [pair.image, pair.mask])
        .flatMap((file) => (file === null ? [] : [{ relpath: file.relpath, source: file.path }]))
      const pairIds = pairs.map((pair) => pair.id)
      await this.update({ branch: preview.branch, message: preview.message, phase: 'committing', attempts: 0, pairIds })
      let committed
      try {
        committed = await commitDataBranch({
          workspace: this.options.workspaceRoot,
          datasetRoot: this.options.datasetRoot,
          files,
          message: preview.message,
          now: this.now(),
        })
      } catch (thrown) {
        const error = toAppError(thrown)
        return await this.update({
          branch: preview.branch,
          message: preview.message,
          phase: 'failed',
          attempts: 0,
          pairIds,
          error,
        })
      }
      const state: SubmissionState = {
        branch: committed.branch,
        message: preview.message,
        phase: 'pushing',
        commit: committed.commit,
        attempts: 0,
        pairIds,
      }
      await this.update(state)
      return await this.push(state)
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
    // Pushed: the pairs that went out leave the staging area; anything added meanwhile stays.
    const pushed: SubmissionState = { ...attempt, phase: 'pushed', progress: 1 }
    delete pushed.stage
    await this.update(pushed)
    await this.staging.removePairs(state.pairIds)
    return pushed
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

  private async update<S extends SubmissionState | null>(state: S): Promise<S> {
    await this.staging.store.setSubmission(state)
    this.staging.emitNow()
    return state
  }

  private async remoteInfo(): Promise<{ name: string; url: string } | undefined> {
    const remotes = await runGit('remote', () => openRepo(this.options.workspaceRoot).getRemotes(true))
    const remote = remotes.find((candidate) => candidate.name === this.remote)
    return remote === undefined ? undefined : { name: remote.name, url: remote.refs.push || remote.refs.fetch }
  }
}
