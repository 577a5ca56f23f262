import type { AppError } from '@wms/shared/errors'
import type { ReactElement } from 'react'

/** What went wrong and what to do, with an optional retry. */
export function ErrorPanel({
  error,
  onRetry,
  retryLabel = 'Try again',
}: {
  error: AppError
  onRetry?: () => void
  retryLabel?: string
}): ReactElement {
  return (
    <div className="error-panel" role="alert">
      <p className="error-panel__message">{error.message}</p>
      {error.hint === undefined ? null : <p className="error-panel__hint">{error.hint}</p>}
      {onRetry === undefined ? null : (
        <button type="button" className="button" onClick={onRetry}>
          {retryLabel}
        </button>
      )}
    </div>
  )
}
