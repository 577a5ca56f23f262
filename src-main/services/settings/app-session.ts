import { createRequire } from 'node:module'
import path from 'node:path'
import { INVOKE_CHANNELS, UPLOAD_CHANNELS, type InvokeHandlers, type UploadHandlers } from '@wms/shared/ipc/contract'
import type { AccountsView, WorkspacesView } from '@wms/shared/settings/accounts'
import { readWorkspaceConfig } from 'training-runner'
import type { AppServices } from '../app-services.js'
import { AccountsService, type CredentialsProvider, type WorkspaceAccountsContext } from './accounts-service.js'
import { createKeyFileCipher, KEY_FILE_NAME, type SecretCipher } from './secret-cipher.js'
import { SecretStore } from './secret-store.js'
import { createSettingsHandlers, type SettingsHandlers } from './settings-handlers.js'
import { WorkspaceSwitcher } from './workspace-switcher.js'

/** Options of {@link openAppSession}. */
export interface AppSessionOptions {
  userDataDir: string
  initialRoot: string
  /** Composes one workspace's services with the Settings handlers (they go into its handler table). */
  /** Opens a workspace's services; `accounts` are the stored accounts its services read (issue 17a's status sources). */
  openWorkspace: (root: string, settings: SettingsHandlers, accounts: CredentialsProvider) => Promise<AppServices>
  /** The cipher: Electron's safeStorage; by default the web host's key file in the user-data folder. */
  cipher?: SecretCipher
  /** Every secret the store handles, so the error log can scrub it. */
  onSecret: (value: string) => void
  onAccountsChanged: (view: AccountsView) => void
  onWorkspaceChanged: (current: WorkspacesView['current']) => void
  env?: NodeJS.ProcessEnv
}

/** The app over its open workspace: the accounts, the switcher, and services that always reach the open one. */
export interface AppSession {
  /** Handlers and media of whichever workspace is open now; `dispose` ends everything. */
  services: AppServices
  accounts: AccountsService
  workspaces: WorkspaceSwitcher<AppServices>
}

/** Name of the secrets file in the user-data folder. */
export const SECRETS_FILE_NAME = 'secrets.json'

/**
 * Composes the app-wide parts (secret store, accounts, the workspace switcher) around the open workspace's
 * services. The hosts keep one handler table for the whole run: each channel looks up the open workspace's
 * handler at call time, so a switch needs nothing from them but the `settings:workspace-changed` event.
 */
export async function openAppSession(options: AppSessionOptions): Promise<AppSession> {
  const cipher = options.cipher ?? (await createKeyFileCipher(path.join(options.userDataDir, KEY_FILE_NAME)))
  const secrets = new SecretStore(path.join(options.userDataDir, SECRETS_FILE_NAME), cipher, options.onSecret)
  // Set once the first workspace's services exist; the callbacks below run only after that.
  const opened: { switcher?: WorkspaceSwitcher<AppServices> } = {}
  const context = async (): Promise<WorkspaceAccountsContext> => {
    if (opened.switcher === undefined) throw new Error('no workspace is open yet')
    const root = opened.switcher.root
    const config = await readWorkspaceConfig(root)
    const remote = config.dataset.remote
    return {
      root,
      githubRepo: config.github?.repo,
      tracking: config.tracking,
      s3Remote:
        remote.type === 's3'
          ? {
              bucket: remote.bucket,
              region: remote.region,
              ...(remote.endpoint === undefined ? {} : { endpoint: remote.endpoint }),
              forcePathStyle: remote.forcePathStyle,
            }
          : undefined,
    }
  }
  const accounts = new AccountsService({
    userDataDir: options.userDataDir,
    secrets,
    onChanged: options.onAccountsChanged,
    context,
    ...(options.env === undefined ? {} : { env: options.env }),
  })
  const settings = createSettingsHandlers({
    accounts: () => accounts,
    workspaces: () => {
      if (opened.switcher === undefined) throw new Error('no workspace is open yet')
      return opened.switcher
    },
  })
  const open = (root: string): Promise<AppServices> => options.openWorkspace(root, settings, accounts)
  const current = await WorkspaceSwitcher.create({
    userDataDir: options.userDataDir,
    initial: { root: options.initialRoot, services: await open(options.initialRoot) },
    open,
    onChanged: options.onWorkspaceChanged,
    ...runnerHookOptions(),
    gitHubToken: async () => {
      const github = await accounts.credentialsFor('github')
      if (github === undefined) return undefined
      const { webUrl } = (await accounts.view()).github
      return { token: github.token, webUrl }
    },
  })
  opened.switcher = current
  const handlers = Object.fromEntries(
    INVOKE_CHANNELS.map((channel) => [
      channel,
      (request: never) => (current.services.handlers[channel] as (request: never) => unknown)(request),
    ]),
  ) as unknown as InvokeHandlers
  const uploadHandlers = Object.fromEntries(
    UPLOAD_CHANNELS.map((channel) => [
      channel,
      (request: never, files: never) =>
        (current.services.uploadHandlers[channel] as (request: never, files: never) => unknown)(request, files),
    ]),
  ) as unknown as UploadHandlers
  const services: AppServices = {
    handlers,
    uploadHandlers,
    media: (mediaPath) => current.services.media(mediaPath),
    get staging() {
      return current.services.staging
    },
    activity: () => current.services.activity(),
    dispose: async () => {
      accounts.dispose()
      await current.dispose()
    },
  }
  return { services, accounts, workspaces: current }
}

// The runner's CLI as installed next to the app (`training-runner/bin/training-runner.js`, beside its built
// `dist/cli/main.js`): the pre-push hook of a workspace created here runs it. Resolved the way the pipeline service
// finds the CLI, since the bundled app's own location says nothing about where the runner is.
function runnerHookOptions(): { hookOptions?: { runner: string } } {
  try {
    const cliMain = createRequire(import.meta.url).resolve('training-runner/cli/main')
    return { hookOptions: { runner: path.resolve(path.dirname(cliMain), '../../bin/training-runner.js') } }
  } catch {
    return {}
  }
}
