import { useEffect, useState, type ReactElement } from 'react'
import { useAppStore } from '../../store/app-store.js'

function secondsUntil(time: number | undefined): number {
  return time === undefined ? 0 : Math.max(0, Math.round((time - Date.now()) / 1000))
}

/** Where the last submission stands: committing, pushing (with progress), queued for retry, pushed, or failed. */
export function SubmissionBanner(): ReactElement | null {
  const submission = useAppStore((state) => state.staging.submission)
  const retry = useAppStore((state) => state.retrySubmit)
  const dismiss = useAppStore((state) => state.dismissSubmission)
  const [, tick] = useState(0)
  useEffect(() => {
    if (submission?.phase !== 'queued') return undefined
    const timer = setInterval(() => tick((n) => n + 1), 1000)
    return () => clearInterval(timer)
  }, [submission?.phase])
  if (submission === null) return null
  const { phase, branch } = submission
  return (
    <section
      className={`submission submission--${phase}`}
      aria-live="polite"
      data-testid="submission"
      data-phase={phase}
    >
      {submission.notice === undefined ? null : (
        <p data-testid="submission-notice">
          <strong>{submission.notice}</strong>
        </p>
      )}
      {phase === 'committing' ? <p>Committing {submission.pairIds.length} pairs on a new branch…</p> : null}
      {phase === 'pushing' ? (
        <>
          <p>
            Pushing <code>{branch}</code>
            {submission.stage === undefined ? '…' : ` — ${submission.stage}`}
          </p>
          <progress max={1} value={submission.progress ?? 0} aria-label="Push progress" />
        </>
      ) : null}
      {phase === 'queued' ? (
        <>
          <p>
            <strong>Not pushed yet:</strong> {submission.error?.message} {submission.error?.hint}
          </p>
          <p className="muted">
            Your pairs are safe on branch <code>{branch}</code>. Retrying in {secondsUntil(submission.nextRetryAt)} s
            (attempt {submission.attempts}).
          </p>
          <button type="button" className="button" onClick={() => void retry()}>
            Retry now
          </button>
        </>
      ) : null}
      {phase === 'pushed' ? (
        <>
          <p>
            <strong>Pushed</strong> {submission.pairIds.length} pair{submission.pairIds.length === 1 ? '' : 's'} on
            branch <code data-testid="pushed-branch">{branch}</code>. The pipeline picks it up from there.
          </p>
          <a href="#/pipeline" className="button">
            Open the pipeline view
          </a>{' '}
          <button type="button" className="button" onClick={() => void dismiss()}>
            Dismiss
          </button>
        </>
      ) : null}
      {phase === 'failed' ? (
        <>
          <p role="alert">
            <strong>The submission failed:</strong> {submission.error?.message}
          </p>
          {submission.error?.hint === undefined ? null : <p>{submission.error.hint}</p>}
          <p className="muted">Nothing was lost: the pairs are still staged.</p>
          {submission.commit === undefined ? null : (
            <button type="button" className="button" onClick={() => void retry()}>
              Retry the push
            </button>
          )}{' '}
          <button type="button" className="button" onClick={() => void dismiss()}>
            Dismiss
          </button>
        </>
      ) : null}
    </section>
  )
}
