import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import {
  ELECTRON_EVENT_CHANNEL,
  ELECTRON_INVOKE_CHANNEL,
  ELECTRON_UPLOAD_CHANNEL,
  isEventChannel,
  isInvokeChannel,
  isUploadChannel,
} from '@wms/shared/ipc/contract'

/**
 * The sandboxed preload: exposes exactly three functions to the page, and only for channels of the contract.
 * No Node, no raw ipcRenderer, no generic send.
 */
const bridge = {
  invoke(channel: string, payload: unknown): Promise<unknown> {
    if (!isInvokeChannel(channel)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'ipc/unknown-channel', message: `Unknown channel ${channel}` },
      })
    }
    return ipcRenderer.invoke(ELECTRON_INVOKE_CHANNEL, channel, payload)
  },
  upload(channel: string, pack: ArrayBuffer): Promise<unknown> {
    if (!isUploadChannel(channel)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'ipc/unknown-channel', message: `Unknown channel ${channel}` },
      })
    }
    return ipcRenderer.invoke(ELECTRON_UPLOAD_CHANNEL, channel, pack)
  },
  on(channel: string, listener: (payload: unknown) => void): () => void {
    if (!isEventChannel(channel)) return () => undefined
    const wrapped = (_event: IpcRendererEvent, eventChannel: string, payload: unknown): void => {
      if (eventChannel === channel) listener(payload)
    }
    ipcRenderer.on(ELECTRON_EVENT_CHANNEL, wrapped)
    return () => {
      ipcRenderer.removeListener(ELECTRON_EVENT_CHANNEL, wrapped)
    }
  },
}

contextBridge.exposeInMainWorld('wms', bridge)
