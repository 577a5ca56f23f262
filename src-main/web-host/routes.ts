import type { IncomingMessage, ServerResponse } from 'node:http'
import { err } from '@wms/shared/result'
import type { Dispatch, DispatchUpload } from '../ipc/dispatch.js'
import type { MediaResponse } from '../services/media/media-service.js'
import type { LaunchCodes, MediaKeys } from './credentials.js'
import { channelFromUrl, readBody, readCookie, sendJson, sendResult } from './http-io.js'
import { bearerToken, contentSecurityPolicy, tokensMatch } from './security.js'
import { serveStatic } from './static-files.js'
import { BodyReader, receiveUpload } from './upload-stream.js'

/** Everything the routes of one running web host share. */
export interface HostContext {
  token: string
  /** The port the host listens on (known once it listens). */
  port: () => number
  mediaKeys: MediaKeys
  launchCodes: LaunchCodes
  dispatch: Dispatch
  dispatchUpload: DispatchUpload | undefined
  media: ((mediaPath: string) => Promise<MediaResponse>) | undefined
  staticDir: string
  maxBodyBytes: number
  maxUploadBytes: number
  spoolDir: string
}

export const INVOKE_PREFIX = '/api/invoke/'
export const UPLOAD_PREFIX = '/api/upload/'
export const EVENTS_PATH = '/api/events'
export const SESSION_PATH = '/api/session'
export const LAUNCH_CODE_PATH = '/api/launch-code'
export const MEDIA_PREFIX = '/media/'

/** Name of the media cookie; the port is in it so two launches on one machine do not overwrite each other's. */
export function mediaCookieName(port: number): string {
  return `wms_media_${String(port)}`
}

/** `/api/*`: the launch-code exchange (no token yet), then everything that needs the token. */
export async function handleApi(
  context: HostContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = request.url ?? '/'
  if (url === LAUNCH_CODE_PATH && request.method === 'POST') {
    await exchangeLaunchCode(context, request, response)
    return
  }
  if (!tokensMatch(context.token, bearerToken(request))) {
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
    startMediaSession(context, response)
    return
  }
  if (url.startsWith(UPLOAD_PREFIX) && request.method === 'POST' && context.dispatchUpload !== undefined) {
    await handleUpload(context, context.dispatchUpload, request, response)
    return
  }
  if (url.startsWith(INVOKE_PREFIX) && request.method === 'POST') {
    await handleInvoke(context, request, response)
    return
  }
  sendJson(response, 404, err({ code: 'ipc/unknown-channel', message: `No API at ${request.method ?? ''} ${url}.` }))
}

// The browser was opened with a one-time code instead of the token (process arguments are public): trade it once.
async function exchangeLaunchCode(
  context: HostContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readBody(request, 1024)
  let code: unknown
  try {
    code = (JSON.parse(body?.toString('utf8') ?? '') as { code?: unknown }).code
  } catch {
    code = undefined
  }
  if (typeof code !== 'string' || !context.launchCodes.redeem(code)) {
    sendJson(
      response,
      401,
      err({
        code: 'ipc/forbidden',
        message: 'This link was already used or has expired.',
        hint: 'Open the URL the web host printed in the terminal.',
      }),
    )
    return
  }
  sendJson(response, 200, { ok: true, value: { token: context.token } })
}

// <img> tags cannot send the bearer token, so the page trades it for an HttpOnly cookie holding a separate,
// short-lived key that only unlocks pictures (never the token: cookies are not isolated by port).
function startMediaSession(context: HostContext, response: ServerResponse): void {
  const key = context.mediaKeys.issue()
  const maxAge = Math.floor(context.mediaKeys.ttlMs / 1000)
  response.setHeader(
    'Set-Cookie',
    `${mediaCookieName(context.port())}=${key}; HttpOnly; SameSite=Strict; Path=${MEDIA_PREFIX}; Max-Age=${String(maxAge)}`,
  )
  sendJson(response, 200, { ok: true, value: { renewAfterMs: Math.floor(context.mediaKeys.ttlMs / 2) } })
}

async function handleInvoke(context: HostContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
    sendJson(response, 415, err({ code: 'ipc/invalid-payload', message: 'Content-Type must be application/json.' }))
    return
  }
  const channel = channelFromUrl(request.url ?? '', INVOKE_PREFIX)
  if (!channel.ok) {
    sendResult(response, channel)
    return
  }
  const body = await readBody(request, context.maxBodyBytes)
  if (body === undefined) {
    sendJson(
      response,
      413,
      err({ code: 'ipc/too-large', message: `Request body over ${String(context.maxBodyBytes)} bytes.` }),
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
  sendResult(response, await context.dispatch(channel.value, payload))
}

// Uploads are streamed: the request is checked before any file byte is read, and files go to disk, not memory.
async function handleUpload(
  context: HostContext,
  dispatchUpload: DispatchUpload,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (!(request.headers['content-type'] ?? '').startsWith('application/octet-stream')) {
    sendJson(
      response,
      415,
      err({ code: 'ipc/invalid-payload', message: 'Content-Type must be application/octet-stream.' }),
    )
    return
  }
  const channel = channelFromUrl(request.url ?? '', UPLOAD_PREFIX)
  if (!channel.ok) {
    sendResult(response, channel)
    return
  }
  const reader = new BodyReader(request as AsyncIterable<Buffer>)
  const result = await receiveUpload(reader, channel.value, dispatchUpload, {
    spoolDir: context.spoolDir,
    maxTotalBytes: context.maxUploadBytes,
  })
  sendResult(response, result)
  // A refused upload may still be arriving: read the rest away (clients read the answer only once they sent it
  // all), but do not wait for more than an upload may hold.
  if (!(await reader.drain(context.maxUploadBytes))) request.destroy()
}

/** `/media/<path>`: pictures for `<img>` tags, unlocked by the media cookie only. */
export async function handleMedia(
  context: HostContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const key = readCookie(request, mediaCookieName(context.port()))
  if (!context.mediaKeys.accepts(key) || context.media === undefined) {
    response.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Unauthorized')
    return
  }
  const mediaPath = (request.url ?? '').slice(MEDIA_PREFIX.length).split('?')[0] ?? ''
  const media = await context.media(mediaPath)
  response.writeHead(media.status, {
    'Content-Type': media.contentType,
    'Content-Length': String(media.body.length),
    // Media URLs carry the file's revision, so a cached copy is never stale.
    'Cache-Control': media.status === 200 ? 'private, max-age=31536000, immutable' : 'no-store',
    'X-Content-Type-Options': 'nosniff',
  })
  response.end(media.body)
}

/** Everything else: the built renderer, with the page's security headers. */
export async function handlePage(
  context: HostContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD' }).end()
    return
  }
  response.setHeader('Content-Security-Policy', contentSecurityPolicy(context.port()))
  response.setHeader('X-Content-Type-Options', 'nosniff')
  response.setHeader('Referrer-Policy', 'no-referrer')
  response.setHeader('X-Frame-Options', 'DENY')
  if (!(await serveStatic(context.staticDir, request.url ?? '/', response))) {
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found')
  }
}
