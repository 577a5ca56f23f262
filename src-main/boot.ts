import type { AppInfo } from '@wms/shared/ipc/contract'
import { createDispatcher, createUploadDispatcher, type Dispatch, type DispatchUpload } from './ipc/dispatch.js'
import { EventHub } from './ipc/event-hub.js'
import { createErrorLog, type ErrorLog } from './logging/error-log.js'
import { demoLayout, readWorkspaceConfig } from 'training-runner'
import { createAppServices, type AppServices } from './services/app-services.js'
import { openAppSession, type AppSession } from './services/settings/app-session.js'
import type { CredentialsProvider } from './services/settings/accounts-service.js'
import type { SecretCipher } from './services/settings/secret-cipher.js'
import type { SettingsHandlers } from './services/settings/settings-handlers.js'
import { statusCredentialsFrom } from './services/pipeline/status-source.js'
import { createStagingQa } from './services/staging/staging-qa.js'
import { resolveWorkspace, type ResolvedWorkspace } from './workspace/resolve-workspace.js'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** Everything a host needs: the workspace, the services, the dispatcher and the event hub. */
export interface BootedApp {
  workspace: ResolvedWorkspace
  /** The open workspace's services (a workspace switch in Settings replaces what they reach). */
  services: AppServices
  /** Accounts and the workspace switcher (issue 17). */
  session: AppSession
  dispatch: Dispatch
  dispatchUpload: DispatchUpload
  events: EventHub
  /** Where internal errors are written down (`<userData>/logs/wms-studio.log`), secrets scrubbed. */
  errorLog: ErrorLog
}

/** Inputs of {@link bootApp}. */
export interface BootOptions {
  host: AppInfo['host']
  workspaceFlag: string | undefined
  userDataDir: string
  versions: AppInfo['versions']
  /** Where progress and unexpected errors are reported (the terminal for the web host, a log in Electron). */
  log: (message: string) => void
  /** The built QA worker (`out/main/qa-worker.js`). */
  qaWorkerPath: string
  /** How secrets are encrypted: Electron's safeStorage; by default an AES-256-GCM key file in `userDataDir`. */
  secretCipher?: SecretCipher
}

/** The app's version: the nearest package.json named wms-studio above this module (bundled or not). */
export function appVersion(from: string = import.meta.url): string {
  let dir = path.dirname(fileURLToPath(from))
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string
        version?: string
      }
      if (manifest.name === 'wms-studio' && manifest.version !== undefined) return manifest.version
    } catch {
      // No manifest here; keep walking up.
    }
    const parent = path.dirname(dir)
    if (parent === dir) return '0.0.0-dev'
    dir = parent
  }
}

/**
 * Shared start-up of both hosts: find (or create) the workspace, compose the services, and build the one
 * dispatcher both transports call.
 */
export async function bootApp(options: BootOptions): Promise<BootedApp> {
  const workspace = await resolveWorkspace({
    flag: options.workspaceFlag,
    env: process.env,
    userDataDir: options.userDataDir,
    cwd: process.cwd(),
    events: {
      emit: (event) => {
        if (event.type === 'step-start') options.log(event.title)
      },
    },
  })
  const events = new EventHub()
  const errorLog = createErrorLog(options.userDataDir, { fallback: options.log })
  const demoRoot = workspace.isDemo ? workspace.root : undefined
  const openWorkspace = async (
    root: string,
    settings: SettingsHandlers,
    accounts: CredentialsProvider,
  ): Promise<AppServices> => {
    const config = await readWorkspaceConfig(root)
    return createAppServices({
      workspaceRoot: root,
      host: options.host,
      version: appVersion(),
      versions: options.versions,
      events,
      settings,
      credentials: statusCredentialsFrom(accounts),
      staging: createStagingQa({
        workerPath: options.qaWorkerPath,
        cacheDir: path.join(root, '.wms', 'cache', 'qa'),
        policy: config.qa,
        workspaceRoot: root,
        datasetRoot: config.dataset.root,
      }),
      ...(root === demoRoot ? { demoIncoming: demoLayout(path.dirname(root)).incoming } : {}),
      ...(process.env.WMS_LOCAL_RUNNER === '0' ? { localRunner: false as const } : {}),
      // Built next to the QA worker (electron.vite.config.ts), so both hosts find it without another option.
      inference: { workerPath: path.join(path.dirname(options.qaWorkerPath), 'inference-worker.js') },
    })
  }
  const session = await openAppSession({
    userDataDir: options.userDataDir,
    initialRoot: workspace.root,
    openWorkspace,
    ...(options.secretCipher === undefined ? {} : { cipher: options.secretCipher }),
    onSecret: (value) => errorLog.addSecret(value),
    onAccountsChanged: (view) => events.emit('accounts:changed', view),
    onWorkspaceChanged: (current) => events.emit('settings:workspace-changed', current),
  })
  const services = session.services
  const onUnexpectedError = (channel: string, thrown: unknown): string | undefined => errorLog.write(channel, thrown)
  const dispatch = createDispatcher(services.handlers, { onUnexpectedError })
  const dispatchUpload = createUploadDispatcher(services.uploadHandlers, { onUnexpectedError })
  return { workspace, services, session, dispatch, dispatchUpload, events, errorLog }
}
