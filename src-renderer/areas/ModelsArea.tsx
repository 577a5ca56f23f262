import type { ReactElement } from 'react'
import { EmptyState } from '../components/EmptyState.js'
import { useAppStore } from '../store/app-store.js'

/** Models: registered versions, their test metrics, and who was in production when. */
export function ModelsArea(): ReactElement {
  const model = useAppStore((state) =>
    state.workspace.status === 'ready' ? state.workspace.value.tracking.registeredModel : undefined,
  )
  return (
    <EmptyState icon="models" title="No model in production yet">
      <p>
        Trained versions of <strong>{model ?? 'the registered model'}</strong> appear here with their test Dice and IoU,
        the gate verdict that promoted or rejected them, and the timeline of production models with rollback.
      </p>
      <p className="muted">The first model that passes the gate becomes production.</p>
    </EmptyState>
  )
}
