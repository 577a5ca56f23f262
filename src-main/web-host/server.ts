import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { err, type Result } from '@wms/shared/result'
import type { Dispatch, DispatchUpload } from '../ipc/dispatch.js'
import type { EventHub } from '../ipc/event-hub.js'
import {
  bearerToken,
  checkHostAndOrigin,
  contentSecurityPolicy,
  createLaunchToken,
  tokensMatch,
  WEBSOCKET_PROTOCOL,
  websocketToken,
} from './security.js'
import { serveStatic } from './static-files.js'
import type { MediaResponse } from '../services/media/media-service.js'

/** Options of {@link startWebHost}. */
export interface WebHostOptions {
  dispatch: Dispatch
  /** Where uploads (`POST /api/upload/<channel>`) go; without it the host refuses them. */
  dispatchUpload?: DispatchUpload
  /** Largest accepted upload (default 1 GiB). */
  maxUploadBytes?: number
  events: EventHub
  /** Folder of the built renderer (index.html + assets). */
  staticDir: string
  /** 0 (default) picks a free port. */
  port?: number
  /** The per-launch secret; generated when absent. */
  token?: string
  /** Largest accepted request body. */
  maxBodyBytes?: number
  /** Serves `/media/<path>` (thumbnails, full-size pictures) to the app's pages. */
  media?: (mediaPath: string) => Promise<MediaResponse>
}

/** A running web host. */
export interface WebHost {
  /** Address of the app, including the token in the fragment (never sent to the server in Referer or logs). */
  url: string
  port: number
  token: string
  close(): Promise<void>
}

const INVOKE_PREFIX = '/api/invoke/'
const UPLOAD_PREFIX = '/api/upload/'
const EVENTS_PATH = '/api/events'
const SESSION_PATH = '/api/session'
const MEDIA_PREFIX = '/media/'
const MEDIA_COOKIE = 'wms_media'

/**
 * Serves the main-process services over HTTP (calls: `POST /api/invoke/<channel>`) and WebSocket (events:
 * `/api/events`) on 127.0.0.1 only, plus the built renderer. Every API call needs the per-launch token and an
 * allowed Host and Origin; payloads go through the same dispatcher as Electron IPC.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? createLaunchToken()
  const maxBody = options.maxBodyBytes ?? 8 * 1024 * 1024
  const maxUpload = options.maxUploadBytes ?? 1024 * 1024 * 1024
  let port = options.port ?? 0

  const server = createServer((request, response) => {
    handleHttp(request, response).catch((thrown: unknown) => {
      if (!response.headersSent) sendJson(response, 500, err({ code: 'internal', message: String(thrown) }))
      else response.destroy()
    })
  })

  async function handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const refused = checkHostAndOrigin(request, port)
    if (refused !== undefined) {
      sendJson(response, 403, err({ code: 'ipc/forbidden', message: `Refused: ${refused}.` }))
      return
    }
    const url = request.url ?? '/'
    if (url.startsWith('/api/')) {
      await handleApi(request, response, url)
      return
    }
    if (url.startsWith(MEDIA_PREFIX)) {
      await handleMedia(request, response, url)
      return
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end()
      return
    }
    response.setHeader('Content-Security-Policy', contentSecurityPolicy(port))
    response.setHeader('X-Content-Type-Options', 'nosniff')
    response.setHeader('Referrer-Policy', 'no-referrer')
    response.setHeader('X-Frame-Options', 'DENY')
    if (!(await serveStatic(options.staticDir, url, response))) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found')
    }
  }

  async function handleApi(request: IncomingMessage, response: ServerResponse, url: string): Promise<void> {
    if (!tokensMatch(token, bearerToken(request))) {
      sendJson(
        response,
        401,
        err({
          code: 'ipc/forbidden',
          message: 'Missing or wrong launch token.',
          hint: 'Open the URL the web host printed at start-up.',
        }),
      )
      return
    }
    if (url === SESSION_PATH && request.method === 'POST') {
      // <img> tags cannot send the bearer token, so the page trades it for an HttpOnly, same-site cookie that only
      // unlocks pictures.
      response.setHeader('Set-Cookie', `${MEDIA_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=${MEDIA_PREFIX}`)
      sendJson(response, 200, { ok: true, value: {} })
      return
    }
    if (url.startsWith(UPLOAD_PREFIX) && request.method === 'POST' && options.dispatchUpload !== undefined) {
      await handleUpload(request, response, url, options.dispatchUpload)
      return
    }
    if (!url.startsWith(INVOKE_PREFIX) || request.method !== 'POST') {
      sendJson(
        response,
        404,
        err({ code: 'ipc/unknown-channel', message: `No API at ${request.method ?? ''} ${url}.` }),
      )
      return
    }
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
      sendJson(response, 415, err({ code: 'ipc/invalid-payload', message: 'Content-Type must be application/json.' }))
      return
    }
    const body = await readBody(request, maxBody)
    if (body === undefined) {
      sendJson(
        response,
        413,
        err({ code: 'ipc/invalid-payload', message: `Request body over ${String(maxBody)} bytes.` }),
      )
      return
    }
    let payload: unknown
    try {
      payload = body.length === 0 ? {} : JSON.parse(body.toString('utf8'))
    } catch {
      sendJson(response, 400, err({ code: 'ipc/invalid-payload', message: 'Request body is not valid JSON.' }))
      return
    }
    const channel = decodeURIComponent(url.slice(INVOKE_PREFIX.length))
    const result = await options.dispatch(channel, payload)
    sendJson(response, statusFor(result), result)
  }

  async function handleUpload(
    request: IncomingMessage,
    response: ServerResponse,
    url: string,
    dispatchUpload: DispatchUpload,
  ): Promise<void> {
    if (!(request.headers['content-type'] ?? '').startsWith('application/octet-stream')) {
      sendJson(
        response,
        415,
        err({ code: 'ipc/invalid-payload', message: 'Content-Type must be application/octet-stream.' }),
      )
      return
    }
    const body = await readBody(request, maxUpload)
    if (body === undefined) {
      sendJson(response, 413, err({ code: 'ipc/invalid-payload', message: `Upload over ${String(maxUpload)} bytes.` }))
      return
    }
    const result = await dispatchUpload(decodeURIComponent(url.slice(UPLOAD_PREFIX.length)), body)
    sendJson(response, statusFor(result), result)
  }

  async function handleMedia(request: IncomingMessage, response: ServerResponse, url: string): Promise<void> {
    if (!tokensMatch(token, readCookie(request, MEDIA_COOKIE)) || options.media === undefined) {
      response.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Unauthorized')
      return
    }
    const mediaPath = url.slice(MEDIA_PREFIX.length).split('?')[0] ?? ''
    const media = await options.media(mediaPath)
    response.writeHead(media.status, {
      'Content-Type': media.contentType,
      'Content-Length': String(media.body.length),
      // Media URLs carry the file's revision, so a cached copy is never stale.
      'Cache-Control': media.status === 200 ? 'private, max-age=31536000, immutable' : 'no-store',
      'X-Content-Type-Options': 'nosniff',
    })
    response.end(media.body)
  }

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
    const refused = checkHostAndOrigin(request, port) ?? (request.url === EVENTS_PATH ? undefined : 'unknown path')
    if (refused !== undefined || !tokensMatch(token, websocketToken(protocols))) {
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
  const unsubscribe = options.events.subscribe((channel, payload) => {
    const message = JSON.stringify({ channel, payload })
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(message)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  port = (server.address() as AddressInfo).port

  return {
    url: `http://127.0.0.1:${String(port)}/#token=${token}`,
    port,
    token,
    close: async () => {
      unsubscribe()
      for (const ws of sockets) ws.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

// Transport-level failures (bad channel or payload) get 4xx; application results, failed or not, get 200.
function statusFor(result: Result<unknown>): number {
  if (result.ok) return 200
  if (result.error.code === 'ipc/unknown-channel') return 404
  if (result.error.code === 'ipc/invalid-payload') return 400
  return 200
}

function readCookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, value] = part.trim().split('=')
    if (key === name) return value
  }
  return undefined
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  })
  response.end(text)
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}
