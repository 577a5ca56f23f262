import { useEffect, type ReactElement } from 'react'
import { useAppStore } from '../../store/app-store.js'

const SHOW_MS = 8000

/**
 * What the last edit did, with Undo while it can be undone (Ctrl+Z does the same anywhere in the area). It stays a
 * few seconds and is announced politely; it never takes focus.
 */
export function UndoToast(): ReactElement {
  const toast = useAppStore((state) => state.staging.toast)
  const undo = useAppStore((state) => state.undo)
  const dismiss = useAppStore((state) => state.dismissToast)
  useEffect(() => {
    if (toast === null) return undefined
    const timer = setTimeout(dismiss, SHOW_MS)
    return () => clearTimeout(timer)
  }, [toast, dismiss])
  return (
    <div className="toast-region" role="status" aria-live="polite" data-testid="toast">
      {toast === null ? null : (
        <div className="toast" key={toast.key}>
          <span>{toast.message}</span>
          {toast.undoable ? (
            <button type="button" className="button button--small" onClick={() => void undo()}>
              Undo <span className="muted">(Ctrl+Z)</span>
            </button>
          ) : null}
          <button type="button" className="button button--small" onClick={dismiss} aria-label="Dismiss message">
            ✕
          </button>
        </div>
      )}
    </div>
  )
}
