import type { EventChannel, EventPayloadOf, InvokeChannel, RequestOf, ResponseOf } from '@wms/shared/ipc/contract'
import type { AppError } from '@wms/shared/errors'
import type { Result } from '@wms/shared/result'
import type { IpcTransport } from './transport.js'
import { packUpload } from './upload-pack.js'

const TOKEN_KEY = 'wms.launch-token'

const NO_TOKEN: AppError = {
  code: 'ipc/forbidden',
  message: 'This page was opened without its launch token.',
  hint: 'Open the exact URL the web host printed when it started (it ends with #token=…).',
}

const DISCONNECTED: AppError = {
  code: 'ipc/disconnected',
  message: 'WMS Studio is not answering.',
  hint: 'The web host may have stopped. Start it again with `npm start` and open the new URL.',
  retryable: true,
}
const PROTOCOL = 'wms.v1'

/**
 * Reads the per-launch token from the URL fragment (`#token=…`), keeps it for reloads of this tab, and removes
 * it from the address bar so it is not bookmarked or shared by accident.
 */
export function takeLaunchToken(location: Location, storage: Storage, history: History): string | undefined {
  const match = /(?:^#|&)token=([0-9a-f]+)/.exec(location.hash)
  if (match?.[1] !== undefined) {
    storage.setItem(TOKEN_KEY, match[1])
    history.replaceState(null, '', location.pathname + location.search)
    return match[1]
  }
  return storage.getItem(TOKEN_KEY) ?? undefined
}

/**
 * The web host's transport: HTTP POST per call, one WebSocket for events (reconnecting with backoff).
 * Every failure comes back as a Result, so the UI handles a stopped host like any other error.
 */
export function createWebTransport(token: string | undefined, origin: string): IpcTransport {
  const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>()
  let socket: WebSocket | undefined
  let retryMs = 500
  // Trade the token for the media cookie before the first call, so every <img> rendered from a response loads.
  const session =
    token === undefined
      ? Promise.resolve()
      : fetch(`${origin}/api/session`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } }).then(
          () => undefined,
          () => undefined,
        )

  const connect = (): void => {
    if (token === undefined) return
    const url = `${origin.replace(/^http/, 'ws')}/api/events`
    socket = new WebSocket(url, [PROTOCOL, `wms.token.${token}`])
    socket.onopen = () => {
      retryMs = 500
    }
    socket.onmessage = (message: MessageEvent<string>) => {
      const { channel, payload } = JSON.parse(message.data) as { channel: EventChannel; payload: unknown }
      for (const listener of listeners.get(channel) ?? []) listener(payload)
    }
    socket.onclose = () => {
      socket = undefined
      if (listeners.size === 0) return
      setTimeout(connect, retryMs)
      retryMs = Math.min(retryMs * 2, 10_000)
    }
  }

  async function post<T>(route: string, contentType: string, body: BodyInit): Promise<Result<T>> {
    if (token === undefined) return { ok: false, error: NO_TOKEN }
    try {
      await session
      const response = await fetch(`${origin}${route}`, {
        method: 'POST',
        headers: { 'Content-Type': contentType, Authorization: `Bearer ${token}` },
        body,
      })
      return (await response.json()) as Result<T>
    } catch {
      return { ok: false, error: DISCONNECTED }
    }
  }

  return {
    invoke<C extends InvokeChannel>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
      return post(`/api/invoke/${encodeURIComponent(channel)}`, 'application/json', JSON.stringify(request))
    },
    upload: (channel, request, contents) =>
      post(`/api/upload/${encodeURIComponent(channel)}`, 'application/octet-stream', packUpload(request, contents)),
    mediaUrl: (mediaPath) => `${origin}/media/${mediaPath}`,
    on<E extends EventChannel>(channel: E, listener: (payload: EventPayloadOf<E>) => void): () => void {
      const set = listeners.get(channel) ?? new Set()
      const wrapped = listener as (payload: unknown) => void
      set.add(wrapped)
      listeners.set(channel, set)
      if (socket === undefined) connect()
      return () => {
        set.delete(wrapped)
        if (set.size === 0) listeners.delete(channel)
        if (listeners.size === 0) socket?.close()
      }
    },
  }
}
