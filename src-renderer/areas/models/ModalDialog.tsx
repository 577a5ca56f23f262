import { useEffect, useRef, type KeyboardEvent, type ReactElement, type ReactNode } from 'react'

const FOCUSABLE =
  'button:not([disabled]), [href], input:not([disabled]), textarea:not([disabled]), select, [tabindex]:not([tabindex="-1"])'

/**
 * A modal dialog: focus moves into it on open, Tab and Shift+Tab stay inside it, Escape cancels, and focus goes back
 * to what had it before (the button that opened it) when it closes.
 */
export function ModalDialog({
  titleId,
  onCancel,
  children,
  className,
}: {
  titleId: string
  onCancel: () => void
  children: ReactNode
  className?: string
}): ReactElement {
  const dialog = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
    const first = dialog.current?.querySelector<HTMLElement>('[data-autofocus]') ?? dialog.current
    first?.focus()
    return () => opener?.focus()
  }, [])
  const trap = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (event.key === 'Escape') {
      event.stopPropagation()
      onCancel()
      return
    }
    if (event.key !== 'Tab' || dialog.current === null) return
    const focusable = [...dialog.current.querySelectorAll<HTMLElement>(FOCUSABLE)]
    const first = focusable[0]
    const last = focusable.at(-1)
    if (first === undefined || last === undefined) return
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault()
      last.focus()
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault()
      first.focus()
    }
  }
  return (
    <div className="models-dialog__backdrop" onClick={onCancel}>
      <div
        ref={dialog}
        className={`models-dialog ${className ?? ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        onClick={(event) => event.stopPropagation()}
        onKeyDown={trap}
      >
        {children}
      </div>
    </div>
  )
}
