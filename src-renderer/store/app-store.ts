import { createContext, useContext } from 'react'
import { createStore, useStore, type StoreApi } from 'zustand'
import type { Api } from '../ipc/api.js'
import { createModelsSlice, type ModelsSlice } from './models-slice.js'
import { createNavigationSlice, type NavigationSlice } from './navigation-slice.js'
import { createPipelineSlice, type PipelineSlice } from './pipeline-slice.js'
import { createSettingsSlice, type SettingsSlice } from './settings-slice.js'
import { createStagingSlice, type StagingSlice } from './staging-slice.js'
import { createWorkspaceSlice, type WorkspaceSlice } from './workspace-slice.js'

/** The whole renderer state: one store built from typed slices. */
export type AppState = { api: Api } & NavigationSlice &
  WorkspaceSlice &
  StagingSlice &
  PipelineSlice &
  SettingsSlice &
  ModelsSlice

/** Creates the store over an API (the real transport in the app, a fake one in tests). */
export function createAppStore(api: Api): StoreApi<AppState> {
  return createStore<AppState>()((...args) => ({
    api,
    ...createNavigationSlice(...args),
    ...createWorkspaceSlice(...args),
    ...createStagingSlice(...args),
    ...createPipelineSlice(...args),
    ...createSettingsSlice(...args),
    ...createModelsSlice(...args),
  }))
}

/** React context carrying the store, so components and tests share one way of reaching it. */
export const AppStoreContext = createContext<StoreApi<AppState> | null>(null)

/** Selects a slice of the state; re-renders only when the selected value changes. */
export function useAppStore<T>(selector: (state: AppState) => T): T {
  const store = useContext(AppStoreContext)
  if (store === null) throw new Error('useAppStore needs <AppStoreContext.Provider>')
  return useStore(store, selector)
}
