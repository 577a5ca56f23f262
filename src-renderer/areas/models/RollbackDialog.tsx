import { useState, type ReactElement } from 'react'
import type { ModelVersionSummary } from '@wms/shared/models/model-registry'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { useAppStore } from '../../store/app-store.js'
import { formatScore } from './format.js'
import { ModalDialog } from './ModalDialog.js'

/** Asks before production moves back to an earlier version, with an optional reason that goes into the history. */
export function RollbackDialog({
  target,
  production,
  onClose,
}: {
  target: ModelVersionSummary
  production: ModelVersionSummary | undefined
  onClose: () => void
}): ReactElement {
  const rollback = useAppStore((state) => state.rollbackModel)
  const error = useAppStore((state) => state.rollbackError)
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const confirm = async (): Promise<void> => {
    setBusy(true)
    const done = await rollback(target.version, reason)
    setBusy(false)
    if (done) onClose()
  }
  return (
    <ModalDialog titleId="rollback-title" onCancel={onClose}>
      <h2 id="rollback-title">Roll back to v{target.version}?</h2>
      <p>
        Production moves from <strong>{production === undefined ? 'no version' : `v${production.version}`}</strong>
        {production === undefined ? null : ` (Dice ${formatScore(production.dice)})`} back to{' '}
        <strong>v{target.version}</strong> (Dice {formatScore(target.dice)}). No gate runs: this is your decision, and
        it is recorded in the history with the time and your reason.
      </p>
      <label className="models-dialog__field">
        Reason (optional, kept in the history)
        <textarea
          data-autofocus
          value={reason}
          maxLength={2000}
          rows={3}
          onChange={(event) => setReason(event.target.value)}
        />
      </label>
      {error === null ? null : <ErrorPanel error={error} />}
      <div className="models-dialog__actions">
        <button type="button" className="button" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="button button--danger" onClick={() => void confirm()} disabled={busy}>
          {busy ? 'Rolling back…' : `Roll back to v${target.version}`}
        </button>
      </div>
    </ModalDialog>
  )
}
