import type { ReactElement } from 'react'
import type { ExternalLink } from '@wms/shared/pipeline/timeline'

/** True for links the app hands to the browser: http(s) only (never `javascript:`, `file:`, a custom scheme). */
export function isWebLink(href: string): boolean {
  try {
    const url = new URL(href)
    return url.protocol === 'https:' || url.protocol === 'http:'
  } catch {
    return false
  }
}

/**
 * A link to the outside world: Electron opens it in the system browser (its window-open handler calls
 * `shell.openExternal` for http(s) only); the web host opens a new tab with no access back to the app.
 */
export function ExternalLinkAnchor({ link }: { link: ExternalLink }): ReactElement | null {
  if (!isWebLink(link.href)) return null
  return (
    <a className="pipeline-link" href={link.href} target="_blank" rel="noopener noreferrer">
      {link.label}
      <span className="pipeline-sr"> (opens in your browser)</span>
    </a>
  )
}
