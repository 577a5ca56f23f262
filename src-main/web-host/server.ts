import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import { WebSocketServer, type WebSocket } from 'ws'
import { err } from '@wms/shared/result'
import type { Dispatch, DispatchUpload } from '../ipc/dispatch.js'
import type { EventHub } from '../ipc/event-hub.js'
import type { MediaResponse } from '../services/media/media-service.js'
import { LaunchCodes, MediaKeys, type Clock } from './credentials.js'
import { sendJson } from './http-io.js'
import { EVENTS_PATH, handleApi, handleMedia, handlePage, MEDIA_PREFIX, type HostContext } from './routes.js'
import { checkHostAndOrigin, createLaunchToken, tokensMatch, WEBSOCKET_PROTOCOL, websocketToken } from './security.js'

/** Options of {@link startWebHost}. */
export interface WebHostOptions {
  dispatch: Dispatch
  /** Where uploads (`POST /api/upload/<channel>`) go; without it the host refuses them. */
  dispatchUpload?: DispatchUpload
  /** Largest accepted upload, all files together (default 1 GiB); each file has the contract's own limit. */
  maxUploadBytes?: number
  /** Where uploads are spooled while they arrive (default: the system's temp folder). */
  spoolDir?: string
  events: EventHub
  /** Folder of the built renderer (index.html + assets). */
  staticDir: string
  /** 0 (default) picks a free port. */
  port?: number
  /** The per-launch secret; generated when absent. */
  token?: string
  /** Largest accepted JSON request body. */
  maxBodyBytes?: number
  /** Serves `/media/<path>` (thumbnails, full-size pictures) to the app's pages. */
  media?: (mediaPath: string) => Promise<MediaResponse>
  /** How long a media key (the picture cookie) lives (default 10 minutes; the page renews it at half-time). */
  mediaKeyTtlMs?: number
  /** How long a one-time launch code stays valid (default 2 minutes). */
  launchCodeTtlMs?: number
  /** Called with a request that failed unexpectedly (a bug); answers where it was logged. */
  onInternalError?: (where: string, thrown: unknown) => string | undefined
  /** The clock of media keys and launch codes (tests). */
  now?: Clock
}

/** A running web host. */
export interface WebHost {
  /** Address of the app, including the token in the fragment (never sent to the server in Referer or logs). */
  url: string
  port: number
  token: string
  /**
   * A fresh address to open a browser with: it carries a one-time code instead of the token, because the opener's
   * command line is readable by every local user; the page trades the code for the token once.
   */
  launchUrl(): string
  close(): Promise<void>
}

/**
 * Serves the main-process services over HTTP (calls: `POST /api/invoke/<channel>`, uploads:
 * `POST /api/upload/<channel>`) and WebSocket (events: `/api/events`) on 127.0.0.1 only, plus the built renderer.
 * Every API call needs the per-launch token and an allowed Host and Origin; payloads go through the same
 * dispatcher as Electron IPC.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  let port = options.port ?? 0
  const context = hostContext(options, () => port)
  const server = createServer(requestListener(context, options.onInternalError))
  const closeEvents = serveEvents(server, context, options.events)
  port = await listen(server, port)
  const origin = `http://127.0.0.1:${String(port)}`
  return {
    url: `${origin}/#token=${context.token}`,
    port,
    token: context.token,
    launchUrl: () => `${origin}/#code=${context.launchCodes.issue()}`,
    close: async () => {
      closeEvents()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

// Step 1: the secrets, limits and services every route reads.
function hostContext(options: WebHostOptions, port: () => number): HostContext {
  return {
    token: options.token ?? createLaunchToken(),
    port,
    mediaKeys: new MediaKeys(options.mediaKeyTtlMs ?? 10 * 60_000, options.now),
    launchCodes: new LaunchCodes(options.launchCodeTtlMs ?? 2 * 60_000, options.now),
    dispatch: options.dispatch,
    dispatchUpload: options.dispatchUpload,
    media: options.media,
    staticDir: options.staticDir,
    maxBodyBytes: options.maxBodyBytes ?? 8 * 1024 * 1024,
    maxUploadBytes: options.maxUploadBytes ?? 1024 * 1024 * 1024,
    spoolDir: options.spoolDir ?? os.tmpdir(),
  }
}

// Step 2: every HTTP request passes the Host/Origin check, then goes to the API, media or the pages; a route that
// throws (a bug) answers 500 and is logged.
function requestListener(
  context: HostContext,
  onInternalError: WebHostOptions['onInternalError'],
): (request: IncomingMessage, response: ServerResponse) => void {
  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const refused = checkHostAndOrigin(request, context.port())
    if (refused !== undefined) {
      sendJson(response, 403, err({ code: 'ipc/forbidden', message: `Refused: ${refused}.` }))
      return
    }
    const url = request.url ?? '/'
    if (url.startsWith('/api/')) await handleApi(context, request, response)
    else if (url.startsWith(MEDIA_PREFIX)) await handleMedia(context, request, response)
    else await handlePage(context, request, response)
  }
  return (request, response) => {
    route(request, response).catch((thrown: unknown) => {
      const where = onInternalError?.(`${request.method ?? ''} ${(request.url ?? '').split('?')[0] ?? ''}`, thrown)
      if (response.headersSent) {
        response.destroy()
        return
      }
      sendJson(
        response,
        500,
        err({
          code: 'internal',
          message: 'WMS Studio failed to answer this request.',
          hint: `This is a bug in WMS Studio. Please report it with the log${where === undefined ? '' : ` (${where})`}.`,
        }),
      )
    })
  }
}

// Step 3: the event stream. Browsers cannot set headers on a WebSocket, so the token travels as a subprotocol.
function serveEvents(server: Server, context: HostContext, events: EventHub): () => void {
  const sockets = new Set<WebSocket>()
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    handleProtocols: (protocols) => (protocols.has(WEBSOCKET_PROTOCOL) ? WEBSOCKET_PROTOCOL : false),
  })
  server.on('upgrade', (request, socket, head) => {
    const protocols = new Set(
      (request.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((value) => value.trim())
        .filter(Boolean),
    )
    const refused =
      checkHostAndOrigin(request, context.port()) ?? (request.url === EVENTS_PATH ? undefined : 'unknown path')
    if (refused !== undefined || !tokensMatch(context.token, websocketToken(protocols))) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n')
      return
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws)
      ws.on('close', () => sockets.delete(ws))
      // The event stream is one-way; anything a client sends is ignored.
      ws.on('message', () => undefined)
    })
  })
  const unsubscribe = events.subscribe((channel, payload) => {
    const message = JSON.stringify({ channel, payload })
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(message)
  })
  return () => {
    unsubscribe()
    for (const ws of sockets) ws.terminate()
    wss.close()
  }
}

// Step 4: listen on loopback only; answers the port (a free one when 0 was asked for).
async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  return (server.address() as AddressInfo).port
}
