import type { AppInfo } from '@wms/shared/ipc/contract'
import { createDispatcher, createUploadDispatcher, type Dispatch, type DispatchUpload } from './ipc/dispatch.js'
import { EventHub } from './ipc/event-hub.js'
import { createErrorLog, type ErrorLog } from './logging/error-log.js'
import { demoLayout, readWorkspaceConfig } from 'training-runner'
import { createAppServices, type AppServices } from './services/app-services.js'
import { createStagingQa } from './services/staging/staging-qa.js'
import { resolveWorkspace, type ResolvedWorkspace } from './workspace/resolve-workspace.js'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** Everything a host needs: the workspace, the services, the dispatcher and the event hub. */
export interface BootedApp {
  workspace: ResolvedWorkspace
  services: AppServices
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
  const config = await readWorkspaceConfig(workspace.root)
  const services = await createAppServices({
    workspaceRoot: workspace.root,
    host: options.host,
    version: appVersion(),
    versions: options.versions,
    events,
    staging: createStagingQa({
      workerPath: options.qaWorkerPath,
      cacheDir: path.join(workspace.root, '.wms', 'cache', 'qa'),
      policy: config.qa,
      workspaceRoot: workspace.root,
      datasetRoot: config.dataset.root,
    }),
    ...(workspace.isDemo ? { demoIncoming: demoLayout(path.dirname(workspace.root)).incoming } : {}),
    ...(process.env.WMS_LOCAL_RUNNER === '0' ? { localRunner: false as const } : {}),
    // Built next to the QA worker (electron.vite.config.ts), so both hosts find it without another option.
    inference: { workerPath: path.join(path.dirname(options.qaWorkerPath), 'inference-worker.js') },
  })
  const errorLog = createErrorLog(options.userDataDir, { fallback: options.log })
  const onUnexpectedError = (channel: string, thrown: unknown): string | undefined => errorLog.write(channel, thrown)
  const dispatch = createDispatcher(services.handlers, { onUnexpectedError })
  const dispatchUpload = createUploadDispatcher(services.uploadHandlers, { onUnexpectedError })
  return { workspace, services, dispatch, dispatchUpload, events, errorLog }
}
