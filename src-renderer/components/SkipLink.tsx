import type { ReactElement } from 'react'

/**
 * "Skip to content": the first Tab stop, visible only when focused. A button rather than `href="#main"`, because the
 * app routes on the URL hash (`#/pipeline`) and a plain anchor would change the area.
 */
export function SkipLink({ target }: { target: string }): ReactElement {
  return (
    <button
      type="button"
      className="skip-link"
      onClick={() => {
        const element = document.getElementById(target)
        element?.focus()
        element?.scrollIntoView({ block: 'start' })
      }}
    >
      Skip to content
    </button>
  )
}
