import type { InvokeChannel, InvokeHandlers } from '@wms/shared/ipc/contract'
import { attempt } from '@wms/shared/result'
import type { AccountsService } from './accounts-service.js'
import type { SwitchableServices, WorkspaceSwitcher } from './workspace-switcher.js'

/** The channels Settings owns (issue 17): workspaces and accounts. */
export type SettingsChannel = Extract<InvokeChannel, `settings:${string}` | `accounts:${string}`>

/** Their handlers. */
export type SettingsHandlers = Pick<InvokeHandlers, SettingsChannel>

/**
 * The Settings channels over the accounts service and the workspace switcher. They live above any one workspace's
 * services (a switch replaces those), so both are reached through getters.
 */
export function createSettingsHandlers(deps: {
  accounts: () => AccountsService
  workspaces: () => WorkspaceSwitcher<SwitchableServices>
}): SettingsHandlers {
  const accounts = deps.accounts
  const workspaces = deps.workspaces
  return {
    'settings:get-workspaces': () => attempt(() => workspaces().view()),
    'settings:open-workspace': (request) => attempt(() => workspaces().open(request.path, request.stopRunning)),
    'settings:create-workspace': (request) =>
      attempt(() =>
        workspaces().create(request.path, { name: request.name, runner: request.runner }, request.stopRunning),
      ),
    'settings:clone-workspace': (request) =>
      attempt(() => workspaces().clone(request.url, request.path, request.stopRunning)),
    'accounts:get': () => attempt(() => accounts().view()),
    'accounts:save-github': (request) => attempt(() => accounts().saveGitHub(request)),
    'accounts:github-token': (request) => attempt(() => accounts().signInWithToken(request.token)),
    'accounts:github-device-start': () => attempt(() => accounts().startDeviceFlow()),
    'accounts:github-device-cancel': () => attempt(() => accounts().cancelDeviceFlow()),
    'accounts:sign-out': (request) => attempt(() => accounts().signOut(request.service)),
    'accounts:save-s3': (request) => attempt(() => accounts().saveS3(request)),
    'accounts:save-mlflow': (request) => attempt(() => accounts().saveMlflow(request)),
    'accounts:test': (request) => attempt(() => accounts().test(request.service)),
  }
}
