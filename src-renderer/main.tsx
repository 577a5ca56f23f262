import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App.js'
import { createApi, detectTransport } from './ipc/api.js'
import { AppStoreContext, createAppStore } from './store/app-store.js'
import { areaFromHash } from './store/navigation-slice.js'
import './styles.css'

const api = createApi(detectTransport())
const store = createAppStore(api)

// Events are subscribed once, for the app's lifetime, and land in the store.
api.on('staging:updated', (update) => store.getState().applyStagingUpdate(update))
api.on('pipeline:event', (event) => store.getState().applyPipelineEvent(event))
api.on('accounts:changed', (view) => store.getState().applyAccountsChange(view))
api.on('settings:workspace-changed', () => store.getState().applyWorkspaceChange())
api.on('pipeline:status', (update) => store.getState().applyPipelineStatus(update))

// The URL hash is the source of truth for the area, so links, back/forward and reloads all work.
const syncArea = (): void => store.getState().showArea(areaFromHash(window.location.hash))
window.addEventListener('hashchange', syncArea)
syncArea()

const container = document.getElementById('root')
if (container === null) throw new Error('index.html has no #root element')
createRoot(container).render(
  <StrictMode>
    <AppStoreContext.Provider value={store}>
      <App />
    </AppStoreContext.Provider>
  </StrictMode>,
)
