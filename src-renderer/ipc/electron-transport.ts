import {
  ELECTRON_MEDIA_SCHEME,
  type EventChannel,
  type EventPayloadOf,
  type InvokeChannel,
  type RequestOf,
  type ResponseOf,
  type UploadChannel,
  type UploadRequestOf,
  type UploadResponseOf,
} from '@wms/shared/ipc/contract'
import type { Result } from '@wms/shared/result'
import type { IpcTransport } from './transport.js'
import { packUpload } from './upload-pack.js'

/** What the Electron preload exposes on `window.wms` (see src-main/electron/preload.ts). */
export interface PreloadBridge {
  invoke(channel: string, payload: unknown): Promise<unknown>
  upload(channel: string, pack: ArrayBuffer): Promise<unknown>
  on(channel: string, listener: (payload: unknown) => void): () => void
}

/** The Electron transport: a typed view of the preload bridge. */
export function createElectronTransport(bridge: PreloadBridge): IpcTransport {
  // A rejected IPC call means main is gone or crashed: the UI gets an error it can show, never an exception.
  const call = async <T>(send: () => Promise<unknown>): Promise<Result<T>> => {
    try {
      return (await send()) as Result<T>
    } catch (thrown) {
      return {
        ok: false,
        error: {
          code: 'ipc/disconnected',
          message: `The main process did not answer: ${String(thrown)}`,
          retryable: true,
        },
      }
    }
  }
  return {
    invoke<C extends InvokeChannel>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
      return call(() => bridge.invoke(channel, request))
    },
    on<E extends EventChannel>(channel: E, listener: (payload: EventPayloadOf<E>) => void): () => void {
      return bridge.on(channel, listener as (payload: unknown) => void)
    },
    mediaUrl: (mediaPath) => `${ELECTRON_MEDIA_SCHEME}://app/${mediaPath}`,
    upload<C extends UploadChannel>(
      channel: C,
      request: UploadRequestOf<C>,
      contents: readonly ArrayBuffer[],
    ): Promise<Result<UploadResponseOf<C>>> {
      // IPC carries an ArrayBuffer by structured clone: one copy, no base64.
      return call(() => bridge.upload(channel, packUpload(request, contents).buffer))
    },
  }
}
