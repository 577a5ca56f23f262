import {
  ELECTRON_MEDIA_SCHEME,
  type EventChannel,
  type EventPayloadOf,
  type InvokeChannel,
  type IpcTransport,
  type RequestOf,
  type ResponseOf,
} from '@wms/shared/ipc/contract'
import type { Result } from '@wms/shared/result'

/** What the Electron preload exposes on `window.wms` (see src-main/electron/preload.ts). */
export interface PreloadBridge {
  invoke(channel: string, payload: unknown): Promise<unknown>
  on(channel: string, listener: (payload: unknown) => void): () => void
}

/** The Electron transport: a typed view of the preload bridge. */
export function createElectronTransport(bridge: PreloadBridge): IpcTransport {
  return {
    async invoke<C extends InvokeChannel>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
      try {
        return (await bridge.invoke(channel, request)) as Result<ResponseOf<C>>
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
    },
    on<E extends EventChannel>(channel: E, listener: (payload: EventPayloadOf<E>) => void): () => void {
      return bridge.on(channel, listener as (payload: unknown) => void)
    },
    mediaUrl: (mediaPath) => `${ELECTRON_MEDIA_SCHEME}://app/${mediaPath}`,
  }
}
