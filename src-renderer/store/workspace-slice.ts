import type { WorkspaceConfig } from '@wms/shared/config/workspace-config'
import type { AppInfo } from '@wms/shared/ipc/contract'
import type { WorkspaceInfo } from '@wms/shared/workspace/workspace-info'
import type { StateCreator } from 'zustand'
import type { AppState } from './app-store.js'
import { fromResult, idle, type Loadable } from './loadable.js'

/** The open workspace and the app's own identity. */
export interface WorkspaceSlice {
  appInfo: Loadable<AppInfo>
  workspace: Loadable<WorkspaceInfo>
  config: Loadable<WorkspaceConfig>
  /** Loads app info and the workspace summary (header). */
  loadWorkspace: () => Promise<void>
  /** Reads the workspace summary again without a loading state (the header stays on screen meanwhile). */
  refreshWorkspace: () => Promise<void>
  /** Loads the parsed workspace config (Settings). */
  loadConfig: () => Promise<void>
}

export const createWorkspaceSlice: StateCreator<AppState, [], [], WorkspaceSlice> = (set, get) => ({
  appInfo: idle,
  workspace: idle,
  config: idle,
  loadWorkspace: async () => {
    const { api } = get()
    set({ workspace: { status: 'loading' } })
    const [appInfo, workspace] = await Promise.all([api.app.getInfo({}), api.workspace.getInfo({})])
    set({ appInfo: fromResult(appInfo), workspace: fromResult(workspace) })
  },
  refreshWorkspace: async () => {
    set({ workspace: fromResult(await get().api.workspace.getInfo({})) })
  },
  loadConfig: async () => {
    set({ config: { status: 'loading' } })
    set({ config: fromResult(await get().api.workspace.getConfig({})) })
  },
})
