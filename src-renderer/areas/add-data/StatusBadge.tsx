import type { PairStatus } from '@wms/shared/staging/staging-types'
import type { ReactElement } from 'react'

/** Words for each status (also the screen-reader text). */
export const STATUS_LABELS: Record<PairStatus, string> = {
  pending: 'Waiting',
  checking: 'Checking',
  ok: 'OK',
  warning: 'Warning',
  error: 'Error',
}

const SYMBOLS: Record<PairStatus, string> = { pending: '…', checking: '◌', ok: '✓', warning: '!', error: '✕' }

/** A small coloured status marker with a text label (colour is never the only signal). */
export function StatusBadge({ status, compact = false }: { status: PairStatus; compact?: boolean }): ReactElement {
  return (
    <span className={`status status--${status}`} data-status={status}>
      <span aria-hidden="true">{SYMBOLS[status]}</span>
      {compact ? (
        <span className="visually-hidden">{STATUS_LABELS[status]}</span>
      ) : (
        <span>{STATUS_LABELS[status]}</span>
      )}
    </span>
  )
}
