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

/** The Settings channels that change a login the status sources read (GitHub's token and address, MLflow's). */
export const LOGIN_CHANNELS = [
  'accounts:save-github',
  'accounts:github-token',
  'accounts:sign-out',
  'accounts:save-mlflow',
] as const satisfies readonly SettingsChannel[]

/**
 * The Settings handlers, each login change followed by `changed()` once it is stored: the Pipeline's status source
 * then looks again with the new login at once, instead of at its next interval (up to its back-off after refusals).
 */
export function afterLoginChanges(handlers: SettingsHandlers, changed: () => void): SettingsHandlers {
  const wrapped: SettingsHandlers = { ...handlers }
  for (const channel of LOGIN_CHANNELS) {
    const handler = handlers[channel] as (request: never) => ReturnType<SettingsHandlers[typeof channel]>
    Object.assign(wrapped, {
      [channel]: async (request: never) => {
        const result = await handler(request)
        if (result.ok) changed()
        return result
      },
    })
  }
  return wrapped
}
