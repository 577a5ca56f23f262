import { useEffect, type ReactElement } from 'react'
import { AddDataArea } from './areas/add-data/AddDataArea.js'
import { ModelsArea, prefetchModelsWhenIdle } from './areas/ModelsArea.js'
import { PipelineArea } from './areas/PipelineArea.js'
import { SettingsArea } from './areas/SettingsArea.js'
import { ErrorPanel } from './components/ErrorPanel.js'
import { Sidebar } from './components/Sidebar.js'
import { SkipLink } from './components/SkipLink.js'
import { WorkspaceHeader } from './components/WorkspaceHeader.js'
import { useAppStore } from './store/app-store.js'
import { assertNever } from '@wms/shared/util/assert-never'
import type { AreaId } from './store/navigation-slice.js'

function AreaView({ area }: { area: AreaId }): ReactElement {
  switch (area) {
    case 'add-data':
      return <AddDataArea />
    case 'pipeline':
      return <PipelineArea />
    case 'models':
      return <ModelsArea />
    case 'settings':
      return <SettingsArea />
    default:
      return assertNever(area, 'area')
  }
}

/** The window: navigation, the workspace header, and the current area. */
export function App(): ReactElement {
  const area = useAppStore((state) => state.area)
  const loadWorkspace = useAppStore((state) => state.loadWorkspace)
  const connectionError = useAppStore((state) =>
    state.workspace.status === 'error' && state.workspace.error.code.startsWith('ipc/') ? state.workspace.error : null,
  )
  const workspaceReady = useAppStore((state) => state.workspace.status === 'ready')
  const prefetchModels = useAppStore((state) => state.prefetchModels)
  useEffect(() => {
    void loadWorkspace()
  }, [loadWorkspace])
  useEffect(
    () => (workspaceReady ? prefetchModelsWhenIdle(prefetchModels) : undefined),
    [workspaceReady, prefetchModels],
  )
  if (connectionError !== null) {
    // Without a connection to the services nothing below can work: say so once, with what to do.
    return (
      <div className="app app--disconnected">
        <ErrorPanel error={connectionError} onRetry={() => void loadWorkspace()} />
      </div>
    )
  }
  return (
    <div className="app">
      <SkipLink target="main" />
      <Sidebar />
      <div className="app__main">
        <WorkspaceHeader />
        <main className="app__area" data-area={area} id="main" tabIndex={-1}>
          <AreaView area={area} />
        </main>
      </div>
    </div>
  )
}
