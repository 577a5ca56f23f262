import type { EventChannel, EventPayloadOf, InvokeChannel, RequestOf, ResponseOf } from '@wms/shared/ipc/contract'
import type { AppError } from '@wms/shared/errors'
import type { Result } from '@wms/shared/result'
import type { IpcTransport } from './transport.js'
import { packUpload } from './upload-pack.js'

const TOKEN_KEY = 'wms.launch-token'

const NO_TOKEN: AppError = {
  code: 'ipc/forbidden',
  message: 'This page was opened without its launch token, or with a one-time link that was already used.',
  hint: 'Open the exact URL the web host printed in the terminal when it started (it ends with #token=…).',
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
 * The launch token of this tab. A browser opened by `npm start` gets a one-time code (`#code=…`) instead of the
 * token, since the opener's command line is public; the code is traded once for the token here. Otherwise the
 * token comes from `#token=…` or from this tab's storage.
 */
export async function resolveLaunchToken(
  location: Location,
  storage: Storage,
  history: History,
  fetchImpl: typeof fetch = fetch,
): Promise<string | undefined> {
  const code = /(?:^#|&)code=([0-9a-f]+)/.exec(location.hash)?.[1]
  if (code === undefined) return takeLaunchToken(location, storage, history)
  history.replaceState(null, '', location.pathname + location.search)
  try {
    const response = await fetchImpl(`${location.origin}/api/launch-code`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code }),
    })
    const result = (await response.json()) as Result<{ token: string }>
    if (!result.ok) return storage.getItem(TOKEN_KEY) ?? undefined
    storage.setItem(TOKEN_KEY, result.value.token)
    return result.value.token
  } catch {
    return storage.getItem(TOKEN_KEY) ?? undefined
  }
}

/**
 * The web host's transport: HTTP POST per call, one WebSocket for events (reconnecting with backoff).
 * Every failure comes back as a Result, so the UI handles a stopped host like any other error.
 */
export function createWebTransport(
  launchToken: string | undefined | Promise<string | undefined>,
  origin: string,
): IpcTransport {
  const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>()
  let socket: WebSocket | undefined
  let retryMs = 500
  let token: string | undefined
  const tokenReady = Promise.resolve(launchToken).then((value) => {
    token = value
  })
  // The pictures' cookie holds a short-lived media key (never the token), renewed before it expires. The first one
  // is fetched before the first call, so every <img> rendered from a response loads.
  let session: Promise<void> | undefined
  let renewAt = 0
  const startSession = async (): Promise<void> => {
    if (token === undefined) return
    try {
      const response = await fetch(`${origin}/api/session`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
      })
      const result = (await response.json()) as Result<{ renewAfterMs: number }>
      if (result.ok) {
        renewAt = Date.now() + result.value.renewAfterMs
        setTimeout(() => void ensureSession(), result.value.renewAfterMs)
      }
    } catch {
      // The host is gone; the call that follows reports it.
    }
  }
  const ensureSession = async (): Promise<void> => {
    await tokenReady
    if (session === undefined || Date.now() >= renewAt) {
      renewAt = Number.POSITIVE_INFINITY
      session = startSession()
    }
    await session
  }

  const connect = (): void => {
    if (token === undefined) {
      void tokenReady.then(() => {
        if (token !== undefined && socket === undefined && listeners.size > 0) connect()
      })
      return
    }
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
    await tokenReady
    if (token === undefined) return { ok: false, error: NO_TOKEN }
    try {
      await ensureSession()
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
