import type { IncomingMessage, ServerResponse } from 'node:http'
import { err, type Result } from '@wms/shared/result'

/** Transport-level failures (bad channel, payload or size) get 4xx; application results, failed or not, get 200. */
export function statusFor(result: Result<unknown>): number {
  if (result.ok) return 200
  switch (result.error.code) {
    case 'ipc/unknown-channel':
      return 404
    case 'ipc/invalid-payload':
      return 400
    case 'ipc/too-large':
      return 413
    default:
      return 200
  }
}

/** The value of cookie `name` in a request, if any. */
export function readCookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, value] = part.trim().split('=')
    if (key === name) return value
  }
  return undefined
}

/** Sends a JSON body that is never cached or sniffed. */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  })
  response.end(text)
}

/** Sends a result with the status {@link statusFor} gives it. */
export function sendResult(response: ServerResponse, result: Result<unknown>): void {
  sendJson(response, statusFor(result), result)
}

/** The whole body, or `undefined` as soon as it grows past `limit` bytes (for small JSON calls only). */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/** The channel named in a URL after `prefix`, percent-decoded; malformed encodings are a 400, not a crash. */
export function channelFromUrl(url: string, prefix: string): Result<string> {
  const encoded = url.slice(prefix.length).split('?')[0] ?? ''
  try {
    return { ok: true, value: decodeURIComponent(encoded) }
  } catch {
    return err({
      code: 'ipc/invalid-payload',
      message: `The channel name in ${JSON.stringify(url)} is not valid percent-encoding.`,
    })
  }
}
