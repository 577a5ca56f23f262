import { useRef, useState, type ReactElement } from 'react'
import { formatBytes } from '@wms/shared/util/format'
import { useDialog } from '../../components/use-dialog.js'
import { useAppStore } from '../../store/app-store.js'
import { PairThumbnail } from './PairThumbnail.js'

const plural = (count: number, one: string, many = `${one}s`): string => `${String(count)} ${count === 1 ? one : many}`

/**
 * The review screen: exactly what will leave this machine, where to (the branch shown is the branch pushed), and
 * under which commit message. Pairs that cannot go are named, each a link to the pair; the others can go without
 * them. Photos that record a GPS location go only when the user says so. The message draft survives closing.
 */
export function SubmitReview(): ReactElement | null {
  const preview = useAppStore((state) => state.staging.preview)
  const options = useAppStore((state) => state.staging.reviewOptions)
  const draft = useAppStore((state) => state.staging.messageDraft)
  const pairs = useAppStore((state) => state.staging.pairs)
  const close = useAppStore((state) => state.closeSubmitReview)
  const reopen = useAppStore((state) => state.openSubmitReview)
  const setDraft = useAppStore((state) => state.setMessageDraft)
  const select = useAppStore((state) => state.selectPair)
  const applyFixes = useAppStore((state) => state.applyFixes)
  const submit = useAppStore((state) => state.submit)
  const [sending, setSending] = useState(false)
  const dialog = useRef<HTMLDivElement>(null)
  const onKeyDown = useDialog(dialog, close)
  if (preview === null) return null
  const message = draft ?? preview.message
  const blocked = preview.blockers.length > 0
  const openPair = (id: string): void => {
    close()
    select(id, true)
  }
  const shown = preview.pairIds.slice(0, 48)
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
        onKeyDown={onKeyDown}
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
          <p className="text-warning">{plural(preview.warnings, 'pair')} will be pushed with warnings.</p>
        ) : null}
        {preview.unpairedFiles > 0 ? (
          <p className="muted">{plural(preview.unpairedFiles, 'unpaired file')} stay staged and are not pushed.</p>
        ) : null}
        {preview.gps.length > 0 ? (
          <div className="review__gps">
            <p>
              {plural(preview.gps.length, 'photo records', 'photos record')} where it was taken (GPS). The location is
              stripped unless you allow it.
            </p>
            <button type="button" className="button" onClick={() => void applyFixes(preview.gps).then(() => reopen())}>
              Strip the location
            </button>
            <label className="detail__check">
              <input
                type="checkbox"
                checked={options.includeGps}
                onChange={(event) => void reopen({ includeGps: event.target.checked })}
              />
              Push the location with the photos
            </label>
          </div>
        ) : null}
        {blocked ? (
          <div className="review__blockers" role="alert">
            {preview.blockers.map((blocker) => (
              <p key={blocker}>{blocker}</p>
            ))}
          </div>
        ) : null}
        {preview.blocked.length > 0 ? (
          <div className="review__blocked">
            <h3>{options.onlyReady ? 'Staying staged' : 'Cannot go yet'}</h3>
            <ul>
              {preview.blocked.slice(0, 20).map((entry) => (
                <li key={entry.id}>
                  <button type="button" className="link-button" onClick={() => openPair(entry.id)}>
                    {entry.id}
                  </button>{' '}
                  <span className="muted">{entry.reason}</span>
                </li>
              ))}
              {preview.blocked.length > 20 ? <li className="muted">… and {preview.blocked.length - 20} more</li> : null}
            </ul>
          </div>
        ) : null}
        <label className="review__message">
          Commit message
          <textarea value={message} onChange={(event) => setDraft(event.target.value)} rows={4} />
        </label>
        {shown.length > 0 ? (
          <details className="review__files" open={preview.pairIds.length <= 12}>
            <summary>{plural(preview.pairs, 'pair')} that will be committed</summary>
            <ul className="review__thumbs">
              {shown.map((id) => {
                const pair = pairs.get(id)
                return (
                  <li key={id}>
                    {pair === undefined ? null : <PairThumbnail pair={pair} layer="overlay" />}
                    <span>{id}</span>
                  </li>
                )
              })}
            </ul>
            {preview.pairIds.length > shown.length ? (
              <p className="muted">… and {preview.pairIds.length - shown.length} more</p>
            ) : null}
          </details>
        ) : null}
        <div className="review__buttons">
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          {blocked && !options.onlyReady && preview.ready > 0 ? (
            <button type="button" className="button" onClick={() => void reopen({ onlyReady: true })}>
              Submit the others ({preview.ready})
            </button>
          ) : null}
          <button
            type="button"
            className="button button--primary"
            disabled={blocked || sending || message.trim() === ''}
            onClick={() => {
              setSending(true)
              void submit(message).finally(() => setSending(false))
            }}
          >
            {sending ? 'Submitting…' : `Push ${plural(preview.pairs, 'pair')}`}
          </button>
        </div>
      </div>
    </div>
  )
}
