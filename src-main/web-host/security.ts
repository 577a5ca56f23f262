import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** A fresh secret for one launch of the web host (256 bits, hex). */
export function createLaunchToken(): string {
  return randomBytes(32).toString('hex')
}

/** Constant-time token comparison. */
export function tokensMatch(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The host names the server answers to; anything else is refused (DNS-rebinding defence). */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${String(port)}`, `localhost:${String(port)}`])
}

/** The origins allowed to call the API: the app's own pages only. */
export function allowedOrigins(port: number): Set<string> {
  return new Set([`http://127.0.0.1:${String(port)}`, `http://localhost:${String(port)}`])
}

/** Why a request is refused, or `undefined` when its Host and Origin are acceptable. */
export function checkHostAndOrigin(request: IncomingMessage, port: number): string | undefined {
  const host = request.headers.host
  if (host === undefined || !allowedHosts(port).has(host)) return `host ${host ?? '(none)'} is not allowed`
  const origin = request.headers.origin
  // Browsers always send Origin on cross-site requests; a missing Origin is a same-origin GET or a non-browser client.
  if (origin !== undefined && !allowedOrigins(port).has(origin)) return `origin ${origin} is not allowed`
  return undefined
}

/** The bearer token of a request (`Authorization: Bearer …`). */
export function bearerToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization
  if (header === undefined) return undefined
  const match = /^Bearer\s+([A-Za-z0-9]+)$/.exec(header)
  return match?.[1]
}

/** The token a WebSocket client offers as a subprotocol (`wms.token.<hex>`); browsers cannot set headers. */
export function websocketToken(protocols: Set<string>): string | undefined {
  for (const protocol of protocols) {
    if (protocol.startsWith('wms.token.')) return protocol.slice('wms.token.'.length)
  }
  return undefined
}

/** The subprotocol the web host speaks; the server echoes it on a successful handshake. */
export const WEBSOCKET_PROTOCOL = 'wms.v1'

/** Content-Security-Policy of the app's pages (same policy as the Electron window). */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ws://127.0.0.1:${String(port)} ws://localhost:${String(port)}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ')
}
