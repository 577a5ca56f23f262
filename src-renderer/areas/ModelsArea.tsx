import { lazy, Suspense, useEffect, type ReactElement } from 'react'
import { EmptyState } from '../components/EmptyState.js'
import { ErrorPanel } from '../components/ErrorPanel.js'
import { useAppStore } from '../store/app-store.js'

// The overview is loaded on first use: the app's first screen does not wait for it.
const overviewModule = () => import('./models/ModelsOverview.js')
const ModelsOverview = lazy(() => overviewModule().then((module) => ({ default: module.ModelsOverview })))

/**
 * Reads the registry and loads the area's code while the app is idle after start, so that the first open of
 * Models draws at once (and reloads in the background, as every later open does) instead of waiting for a read
 * that takes a second or more with 200 versions. Returns the cancel function.
 */
export function prefetchModelsWhenIdle(prefetch: () => Promise<void>): () => void {
  const run = (): void => {
    void overviewModule()
    void prefetch()
  }
  if (typeof requestIdleCallback === 'function') {
    const handle = requestIdleCallback(run, { timeout: PREFETCH_DEADLINE_MS })
    return () => cancelIdleCallback(handle)
  }
  const timer = setTimeout(run, PREFETCH_DEADLINE_MS)
  return () => clearTimeout(timer)
}

/** The latest the prefetch starts on a busy UI thread. */
const PREFETCH_DEADLINE_MS = 3000

/** Models: registered versions, their test metrics, who was in production when, rollback, and "try it". */
export function ModelsArea(): ReactElement {
  const modelName = useAppStore((state) =>
    state.workspace.status === 'ready' ? state.workspace.value.tracking.registeredModel : undefined,
  )
  const models = useAppStore((state) => state.models)
  const load = useAppStore((state) => state.loadModels)
  const watch = useAppStore((state) => state.watchRegistry)
  useEffect(() => {
    // The code and the registry together: the chunk no longer waits for the read to finish.
    void overviewModule()
    void load()
    return watch()
  }, [load, watch])

  if (models.status === 'error') return <ErrorPanel error={models.error} onRetry={() => void load()} />
  if (models.status !== 'ready') {
    return (
      <p className="muted" role="status">
        Reading the model registry…
      </p>
    )
  }
  if (models.value.versions.length === 0) {
    return (
      <EmptyState icon="models" title="No model in production yet">
        <p>
          Trained versions of <strong>{modelName ?? 'the registered model'}</strong> appear here with their test Dice
          and IoU, the gate verdict that promoted or rejected them, and the timeline of production models with rollback.
        </p>
        <p className="muted">The first model that passes the gate becomes production.</p>
        {models.value.problems.map((problem) => (
          <p key={problem} className="text-warning">
            {problem}
          </p>
        ))}
      </EmptyState>
    )
  }
  return (
    <Suspense
      fallback={
        <p className="muted" role="status">
          Opening the model history…
        </p>
      }
    >
      <ModelsOverview />
    </Suspense>
  )
}
