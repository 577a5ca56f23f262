import { useEffect, useRef, type KeyboardEvent as ReactKeyboardEvent, type RefObject } from 'react'

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])'

/** Open dialogs, innermost last: Escape pressed with focus nowhere (on the page body) closes the innermost. */
const openDialogs: (() => void)[] = []

function onDocumentKey(event: KeyboardEvent): void {
  if (event.key !== 'Escape' || event.defaultPrevented) return
  // Only when focus is on no element (a focused button was disabled or removed): dialogs handle their own keys.
  if (document.activeElement !== null && document.activeElement !== document.body) return
  const close = openDialogs.at(-1)
  if (close === undefined) return
  event.preventDefault()
  close()
}

/** The elements Tab can reach inside `root`, in order (hidden ones left out). */
function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (element) => !element.hidden && element.getClientRects().length > 0,
  )
}

/**
 * A modal dialog's focus rules: focus moves into it when it opens, Tab and Shift+Tab stay inside it (so Escape keeps
 * working), focus that lands outside (a click on the page behind) is brought back, and when it closes focus returns
 * to where it was — or to `returnTo()` when that element is gone (the card of the pair the detail last showed).
 * Returns the keydown handler for the dialog element: it handles Tab and Escape.
 */
export function useDialog(
  dialog: RefObject<HTMLElement | null>,
  onClose: () => void,
  returnTo?: () => HTMLElement | null,
): (event: ReactKeyboardEvent) => void {
  const closeRef = useRef(onClose)
  const returnRef = useRef(returnTo)
  useEffect(() => {
    closeRef.current = onClose
    returnRef.current = returnTo
  })

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
    const root = dialog.current
    if (root !== null && !root.contains(document.activeElement)) root.focus()
    const keepInside = (event: FocusEvent): void => {
      const current = dialog.current
      if (current === null || !(event.target instanceof Node) || current.contains(event.target)) return
      // A nested dialog (the mask preview) holds its own focus.
      if (event.target instanceof Element && event.target.closest('[role="dialog"]') !== null) return
      current.focus()
    }
    document.addEventListener('focusin', keepInside)
    const close = (): void => closeRef.current()
    openDialogs.push(close)
    if (openDialogs.length === 1) document.addEventListener('keydown', onDocumentKey)
    return () => {
      openDialogs.splice(openDialogs.indexOf(close), 1)
      if (openDialogs.length === 0) document.removeEventListener('keydown', onDocumentKey)
      document.removeEventListener('focusin', keepInside)
      const target = opener?.isConnected === true ? opener : (returnRef.current?.() ?? null)
      // After React has removed the dialog, so the focus ring lands on a live element.
      requestAnimationFrame(() => target?.focus())
    }
  }, [dialog])

  return (event) => {
    if (event.key === 'Escape') {
      event.preventDefault()
      event.stopPropagation()
      closeRef.current()
      return
    }
    if (event.key !== 'Tab' || dialog.current === null) return
    const items = focusables(dialog.current)
    const first = items[0]
    const last = items.at(-1)
    if (first === undefined || last === undefined) {
      event.preventDefault()
      return
    }
    const active = document.activeElement
    if (event.shiftKey && (active === first || active === dialog.current)) {
      event.preventDefault()
      last.focus()
    } else if (!event.shiftKey && active === last) {
      event.preventDefault()
      first.focus()
    }
  }
}
