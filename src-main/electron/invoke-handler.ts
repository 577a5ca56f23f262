import { err, type Result } from '@wms/shared/result'
import type { Dispatch, DispatchUpload } from '../ipc/dispatch.js'

/** The part of Electron's IpcMainInvokeEvent the handler reads (so it is testable without Electron). */
export interface InvokeEventLike {
  senderFrame: { url: string } | null
}

/**
 * The `ipcMain.handle` callback: only our own page may call main (a navigated-away or injected frame gets
 * nothing), then the shared dispatcher validates channel and payload exactly as for the web host.
 */
export function createElectronInvokeHandler(
  dispatch: Dispatch,
  rendererUrl: string,
): (event: InvokeEventLike, channel: unknown, payload: unknown) => Promise<Result<unknown>> {
  return async (event, channel, payload) => {
    const frameUrl = event.senderFrame?.url
    if (frameUrl?.split('#')[0] !== rendererUrl) {
      return err({ code: 'ipc/forbidden', message: 'Calls are accepted only from the WMS Studio window.' })
    }
    return dispatch(channel, payload)
  }
}

/** The `ipcMain.handle` callback of uploads: same sender check, then the shared upload dispatcher. */
export function createElectronUploadHandler(
  dispatchUpload: DispatchUpload,
  rendererUrl: string,
): (event: InvokeEventLike, channel: unknown, pack: unknown) => Promise<Result<unknown>> {
  return async (event, channel, pack) => {
    if (event.senderFrame?.url.split('#')[0] !== rendererUrl) {
      return err({ code: 'ipc/forbidden', message: 'Calls are accepted only from the WMS Studio window.' })
    }
    if (!(pack instanceof ArrayBuffer) && !ArrayBuffer.isView(pack)) {
      return err({ code: 'ipc/invalid-payload', message: 'An upload must carry its bytes as an ArrayBuffer.' })
    }
    const bytes =
      pack instanceof ArrayBuffer ? new Uint8Array(pack) : new Uint8Array(pack.buffer, pack.byteOffset, pack.byteLength)
    return dispatchUpload.pack(channel, bytes)
  }
}
