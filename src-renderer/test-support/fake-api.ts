import type { InvokeChannel, ResponseOf, UploadChannel, UploadResponseOf } from '@wms/shared/ipc/contract'
import type { IpcTransport } from '../ipc/transport.js'
import type { Result } from '@wms/shared/result'
import type { WorkspaceInfo } from '@wms/shared/workspace/workspace-info'
import { createApi, type Api } from '../ipc/api.js'

/** A workspace summary for renderer tests. */
export const SAMPLE_WORKSPACE: WorkspaceInfo = {
  root: '/home/ann/WMS Studio/demo/workspace',
  name: 'Demo water meters',
  isDemo: true,
  git: { branch: 'main', head: 'abc123', dirty: false, remotes: [{ name: 'origin', url: '../origin.git' }] },
  dataRemote: { kind: 'local', display: '/home/ann/WMS Studio/demo/dvc-remote' },
  tracking: {
    kind: 'filestore',
    display: '/home/ann/WMS Studio/demo/mlruns',
    experiment: 'wms',
    registeredModel: 'wms-model',
  },
  github: null,
  pipelineRunner: 'local',
  dataset: { root: 'data/training', trackedImages: 20 },
}

type Responder = { [C in InvokeChannel]?: () => Result<ResponseOf<C>> } & {
  [C in UploadChannel]?: (request: unknown, contents: readonly ArrayBuffer[]) => Result<UploadResponseOf<C>>
}

/** An API over an in-memory transport: each channel answers what `responders` say, and records calls. */
export function fakeApi(responders: Responder): { api: Api; calls: (InvokeChannel | UploadChannel)[] } {
  const calls: (InvokeChannel | UploadChannel)[] = []
  const transport: IpcTransport = {
    invoke: (channel) => {
      calls.push(channel)
      const respond = responders[channel] as (() => Result<unknown>) | undefined
      return Promise.resolve(
        (respond?.() ?? { ok: false, error: { code: 'internal', message: `no fake for ${channel}` } }) as never,
      )
    },
    on: () => () => undefined,
    mediaUrl: (mediaPath) => `/media/${mediaPath}`,
    upload: (channel, request, contents) => {
      calls.push(channel)
      const respond = responders[channel] as
        ((request: unknown, contents: readonly ArrayBuffer[]) => Result<unknown>) | undefined
      return Promise.resolve(
        (respond?.(request, contents) ?? {
          ok: false,
          error: { code: 'internal', message: `no fake for ${channel}` },
        }) as never,
      )
    },
  }
  return { api: createApi(transport), calls }
}
