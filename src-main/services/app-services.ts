import type { AppInfo, InvokeHandlers } from '@wms/shared/ipc/contract'
import { attempt } from '@wms/shared/result'
import { readWorkspaceConfig } from 'training-runner/workspace/workspace-config-file'
import { readWorkspaceInfo } from 'training-runner/workspace/workspace-info'
import type { EventHub } from '../ipc/event-hub.js'
import { DisposableStore, type Disposable } from './disposables.js'

/** What the services need to know about where they run. */
export interface AppServicesOptions {
  workspaceRoot: string
  host: AppInfo['host']
  version: string
  versions: AppInfo['versions']
  events: EventHub
}

/** The main-process services: one handler per contract channel, plus everything they own. */
export interface AppServices extends Disposable {
  handlers: InvokeHandlers
}

/**
 * Composes the runner's library into the handlers both hosts serve. Handlers stay thin: gather inputs, call the
 * library, return a Result. No domain logic lives here.
 */
export function createAppServices(options: AppServicesOptions): AppServices {
  const store = new DisposableStore()
  const root = options.workspaceRoot
  const handlers: InvokeHandlers = {
    'app:get-info': () =>
      attempt(() =>
        Promise.resolve({
          name: 'WMS Studio',
          version: options.version,
          host: options.host,
          platform: process.platform,
          versions: options.versions,
        }),
      ),
    'workspace:get-info': () => attempt(() => readWorkspaceInfo(root)),
    'workspace:get-config': () => attempt(() => readWorkspaceConfig(root)),
  }
  return { handlers, dispose: () => store.dispose() }
}
