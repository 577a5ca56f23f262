import type { ReactElement } from 'react'
import { EmptyState } from '../components/EmptyState.js'
import { useAppStore } from '../store/app-store.js'

/** Pipeline: the live status of every data branch (merge → QA → train → gate → promote → publish). */
export function PipelineArea(): ReactElement {
  const runner = useAppStore((state) =>
    state.workspace.status === 'ready' ? state.workspace.value.pipelineRunner : undefined,
  )
  return (
    <EmptyState icon="pipeline" title="No pipeline runs yet">
      <p>
        Each data branch you submit appears here with its steps (merge, QA, training, quality gate, promotion) and live
        progress: bytes uploaded, epochs and loss, the gate&apos;s verdict and why.
      </p>
      <p className="muted">
        {runner === 'github-actions'
          ? 'Runs are read from GitHub Actions and MLflow.'
          : 'This workspace uses the local pipeline runner, so runs happen on this machine.'}
      </p>
    </EmptyState>
  )
}
