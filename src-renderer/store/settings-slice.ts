import type { AppError } from '@wms/shared/errors'
import type { RequestOf } from '@wms/shared/ipc/contract'
import type { Result } from '@wms/shared/result'
import type { AccountService, AccountsView, ConnectionTestResult, WorkspacesView } from '@wms/shared/settings/accounts'
import type { StateCreator } from 'zustand'
import type { AppState } from './app-store.js'
import { fromResult, idle, type Loadable } from './loadable.js'

/** The Settings forms: each has its own pending flag and error. */
export type SettingsForm = 'workspace' | 'github-token' | 'github-device' | 'github-setup' | 's3' | 'mlflow'

/** Accounts and workspaces (issue 17). Secrets go out in requests; nothing secret ever comes back. */
export interface SettingsSlice {
  accounts: Loadable<AccountsView>
  workspaces: Loadable<WorkspacesView>
  /** Forms waiting for main. */
  settingsPending: Partial<Record<SettingsForm, boolean>>
  /** The last error of each form (cleared when it is sent again). */
  settingsErrors: Partial<Record<SettingsForm, AppError>>
  /** The last "test connection" of each service, or `running`. */
  connectionTests: Partial<Record<AccountService, ConnectionTestResult | 'running'>>
  loadAccounts: () => Promise<void>
  loadWorkspaces: () => Promise<void>
  /** `accounts:changed`: a device-flow sign-in ended. */
  applyAccountsChange: (view: AccountsView) => void
  /** `settings:workspace-changed`: every area reloads from the new workspace. */
  applyWorkspaceChange: () => void
  saveGitHubSetup: (request: RequestOf<'accounts:save-github'>) => Promise<boolean>
  signInWithToken: (token: string) => Promise<boolean>
  startDeviceFlow: () => Promise<void>
  cancelDeviceFlow: () => Promise<void>
  signOut: (service: AccountService) => Promise<void>
  saveS3: (request: RequestOf<'accounts:save-s3'>) => Promise<boolean>
  saveMlflow: (request: RequestOf<'accounts:save-mlflow'>) => Promise<boolean>
  testConnection: (service: AccountService) => Promise<void>
  openWorkspace: (path: string, stopRunning?: boolean) => Promise<boolean>
  createWorkspace: (request: RequestOf<'settings:create-workspace'>) => Promise<boolean>
  cloneWorkspace: (request: RequestOf<'settings:clone-workspace'>) => Promise<boolean>
}

export const createSettingsSlice: StateCreator<AppState, [], [], SettingsSlice> = (set, get) => {
  /** Runs one form's call: pending while it runs, its error kept, accounts updated from the answer. */
  const submit = async <T>(
    form: SettingsForm,
    call: () => Promise<Result<T>>,
    apply: (value: T) => Partial<AppState>,
  ): Promise<boolean> => {
    set((state) => ({
      settingsPending: { ...state.settingsPending, [form]: true },
      settingsErrors: { ...state.settingsErrors, [form]: undefined },
    }))
    const result = await call()
    set((state) => ({
      settingsPending: { ...state.settingsPending, [form]: false },
      ...(result.ok ? apply(result.value) : { settingsErrors: { ...state.settingsErrors, [form]: result.error } }),
    }))
    return result.ok
  }
  const accountsFrom = (value: AccountsView): Partial<AppState> => ({ accounts: { status: 'ready', value } })
  /**
   * The Models area reads the registry at the MLflow account's server with its login: after a change it is read
   * again at once (the Pipeline's status is pushed by main, which looks again after every login change).
   */
  // Another MLflow (or login) changes what Models lists and which store the header names.
  const afterMlflowChange = (): void => {
    if (get().models.status !== 'idle') void get().loadModels()
    void get().refreshWorkspace()
  }
  const workspacesFrom = (value: WorkspacesView): Partial<AppState> => ({ workspaces: { status: 'ready', value } })

  return {
    accounts: idle,
    workspaces: idle,
    settingsPending: {},
    settingsErrors: {},
    connectionTests: {},
    loadAccounts: async () => {
      set({ accounts: { status: 'loading' } })
      set({ accounts: fromResult(await get().api.accounts.get({})) })
    },
    loadWorkspaces: async () => {
      set({ workspaces: { status: 'loading' } })
      set({ workspaces: fromResult(await get().api.settings.getWorkspaces({})) })
    },
    applyAccountsChange: (view) => set({ accounts: { status: 'ready', value: view } }),
    applyWorkspaceChange: () => {
      set({
        config: idle,
        dataBranches: idle,
        pipelineStatus: idle,
        selectedBranch: null,
        models: idle,
        comparedVersions: [],
        tryIt: { status: 'idle' },
        connectionTests: {},
      })
      const state = get()
      void state.loadWorkspace()
      void state.loadStaging()
      void state.loadWorkspaces()
      void state.loadAccounts()
      void state.loadPipelineStatus()
      void state.loadModels()
    },
    saveGitHubSetup: (request) => submit('github-setup', () => get().api.accounts.saveGithub(request), accountsFrom),
    signInWithToken: (token) => submit('github-token', () => get().api.accounts.githubToken({ token }), accountsFrom),
    startDeviceFlow: async () => {
      await submit('github-device', () => get().api.accounts.githubDeviceStart({}), accountsFrom)
    },
    cancelDeviceFlow: async () => {
      await submit('github-device', () => get().api.accounts.githubDeviceCancel({}), accountsFrom)
    },
    signOut: async (service) => {
      const form: SettingsForm = service === 'github' ? 'github-token' : service
      const done = await submit(
        form,
        () => get().api.accounts.signOut({ service }),
        (value) => ({
          ...accountsFrom(value),
          connectionTests: { ...get().connectionTests, [service]: undefined },
        }),
      )
      if (done && service === 'mlflow') afterMlflowChange()
    },
    saveS3: (request) => submit('s3', () => get().api.accounts.saveS3(request), accountsFrom),
    saveMlflow: async (request) => {
      const saved = await submit('mlflow', () => get().api.accounts.saveMlflow(request), accountsFrom)
      if (saved) {
        // A test of the previous server says nothing about this one.
        set((state) => ({ connectionTests: { ...state.connectionTests, mlflow: undefined } }))
        afterMlflowChange()
      }
      return saved
    },
    testConnection: async (service) => {
      set((state) => ({ connectionTests: { ...state.connectionTests, [service]: 'running' } }))
      const result = await get().api.accounts.test({ service })
      const outcome: ConnectionTestResult = result.ok
        ? result.value
        : {
            service,
            ok: false,
            summary: result.error.message,
            problem: null,
            hint: result.error.hint ?? null,
            details: [],
            elapsedMs: 0,
          }
      set((state) => ({ connectionTests: { ...state.connectionTests, [service]: outcome } }))
    },
    openWorkspace: (path, stopRunning = false) =>
      submit('workspace', () => get().api.settings.openWorkspace({ path, stopRunning }), workspacesFrom),
    createWorkspace: (request) =>
      submit('workspace', () => get().api.settings.createWorkspace(request), workspacesFrom),
    cloneWorkspace: (request) => submit('workspace', () => get().api.settings.cloneWorkspace(request), workspacesFrom),
  }
}
