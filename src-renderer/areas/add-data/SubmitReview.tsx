import { useEffect, useRef, useState, type ReactElement } from 'react'
import { formatBytes } from '@wms/shared/util/format'
import { useAppStore } from '../../store/app-store.js'

/** The review screen: exactly what will leave this machine, where to, and under which commit message. */
export function SubmitReview(): ReactElement | null {
  const preview = useAppStore((state) => state.staging.preview)
  const close = useAppStore((state) => state.closeSubmitReview)
  const submit = useAppStore((state) => state.submit)
  const [message, setMessage] = useState(preview?.message ?? '')
  const [sending, setSending] = useState(false)
  const dialog = useRef<HTMLDivElement>(null)
  useEffect(() => dialog.current?.focus(), [])
  if (preview === null) return null
  const blocked = preview.blockers.length > 0
  return (
    <div className="detail-backdrop" onClick={close}>
      <div
        ref={dialog}
        className="review"
        role="dialog"
        aria-modal="true"
        aria-labelledby="review-title"
        tabIndex={-1}
        onClick={(event) => event.stopPropagation()}
        onKeyDown={(event) => {
          if (event.key === 'Escape') close()
        }}
      >
        <h2 id="review-title">Review the submission</h2>
        <dl className="review__facts">
          <dt>Pairs</dt>
          <dd data-testid="review-pairs">{preview.pairs}</dd>
          <dt>Files</dt>
          <dd>
            {preview.files.length} ({formatBytes(preview.bytes)})
          </dd>
          <dt>Branch</dt>
          <dd>
            <code data-testid="review-branch">{preview.branch}</code>
          </dd>
          <dt>Pushed to</dt>
          <dd>
            {preview.remote.name} <span className="muted">{preview.remote.url}</span>
          </dd>
        </dl>
        {preview.warnings > 0 ? (
          <p className="text-warning">
            {preview.warnings} pair{preview.warnings === 1 ? '' : 's'} will be pushed with warnings.
          </p>
        ) : null}
        {preview.unpairedFiles > 0 ? (
          <p className="muted">
            {preview.unpairedFiles} unpaired file{preview.unpairedFiles === 1 ? '' : 's'} stay staged and are not
            pushed.
          </p>
        ) : null}
        {blocked ? (
          <ul className="review__blockers" role="alert">
            {preview.blockers.map((blocker) => (
              <li key={blocker}>{blocker}</li>
            ))}
          </ul>
        ) : null}
        <label className="review__message">
          Commit message
          <textarea value={message} onChange={(event) => setMessage(event.target.value)} rows={5} />
        </label>
        <details className="review__files">
          <summary>Files that will be committed</summary>
          <ul>
            {preview.files.map((file) => (
              <li key={file.relpath}>
                <code>{file.relpath}</code> <span className="muted">{formatBytes(file.bytes)}</span>
              </li>
            ))}
          </ul>
        </details>
        <div className="review__buttons">
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button
            type="button"
            className="button button--primary"
            disabled={blocked || sending || message.trim() === ''}
            onClick={() => {
              setSending(true)
              void submit(message).finally(() => setSending(false))
            }}
          >
            {sending ? 'Submitting…' : `Push ${String(preview.pairs)} pair${preview.pairs === 1 ? '' : 's'}`}
          </button>
        </div>
      </div>
    </div>
  )
}
