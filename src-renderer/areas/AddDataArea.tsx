import type { ReactElement } from 'react'
import { EmptyState } from '../components/EmptyState.js'

/** Add data: where annotators stage new image/mask pairs, see QA results and submit a data branch. */
export function AddDataArea(): ReactElement {
  return (
    <EmptyState icon="add-data" title="No pairs staged">
      <p>
        New image/mask pairs you stage appear here, each with a thumbnail, its mask overlaid and its data-quality
        status. Nothing leaves this machine until you review and submit them as a <code>data/…</code> branch.
      </p>
      <p className="muted">Staging pairs is not available in this build yet.</p>
    </EmptyState>
  )
}
