import http from 'node:http'
import type { Socket } from 'node:net'

/**
 * A fault-injecting HTTP proxy on 127.0.0.1 in front of the S3 test server: every request is forwarded unless
 * `plan` names a fault for it. Faults are what real S3 endpoints and networks do: never answer, answer 5xx with
 * `Retry-After`, refuse (403), cut a body short, flip bytes in a body.
 */
export type Fault =
  /** Accept the request and never answer. */
  | { kind: 'hang' }
  /** Answer with this status (and headers/body) without asking the server. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Forward, then send only the first `bytes` of the answer's body and drop the connection. */
  | { kind: 'truncate'; bytes: number }
  /** Forward, then send only the first `bytes` of the answer's body and go silent (connection kept open). */
  | { kind: 'stall'; bytes: number }
  /** Forward, then flip one byte in the middle of the answer's body (headers kept: the ETag still says the truth). */
  | { kind: 'corrupt' }

/** One request the proxy saw, with the time it arrived and, once its answer has been sent in full, when. */
export interface ProxiedRequest {
  method: string
  url: string
  at: number
  answeredAt?: number
}

export interface FaultProxy {
  /** Point the S3 client here. */
  endpoint: string
  /** Every request, in order of arrival. */
  requests: ProxiedRequest[]
  /** Decides the fault for a request (`undefined`: forward it unchanged). `index` counts requests from 0. */
  plan: ((request: ProxiedRequest, index: number) => Fault | undefined) | undefined
  close(): Promise<void>
}

/** Starts a proxy forwarding to `target` (an `http://host:port` endpoint). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target)
  const sockets = new Set<Socket>()
  const proxy: FaultProxy = {
    endpoint: '',
    requests: [],
    plan: undefined,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }

  const server = http.createServer((request, response) => {
    const entry: ProxiedRequest = { method: request.method ?? 'GET', url: request.url ?? '/', at: Date.now() }
    const index = proxy.requests.push(entry) - 1
    response.on('finish', () => {
      entry.answeredAt = Date.now()
    })
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const fault = proxy.plan?.(entry, index)
      if (fault?.kind === 'hang') return
      if (fault?.kind === 'status') {
        response.writeHead(fault.status, { 'content-type': 'application/xml', ...fault.headers })
        response.end(fault.body ?? '')
        return
      }
      forward(upstream, request, Buffer.concat(chunks), response, fault)
    })
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const address = server.address()
  proxy.endpoint = `http://127.0.0.1:${String(typeof address === 'object' && address !== null ? address.port : 0)}`
  return proxy
}

function forward(
  upstream: URL,
  request: http.IncomingMessage,
  body: Buffer,
  response: http.ServerResponse,
  fault: Extract<Fault, { kind: 'truncate' | 'stall' | 'corrupt' }> | undefined,
): void {
  const outgoing = http.request(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: request.method,
      path: request.url,
      headers: { ...request.headers, host: upstream.host },
    },
    (answer) => {
      const parts: Buffer[] = []
      answer.on('data', (chunk: Buffer) => parts.push(chunk))
      answer.on('end', () => {
        const payload = Buffer.concat(parts)
        response.writeHead(answer.statusCode ?? 502, answer.headers)
        if ((fault?.kind === 'truncate' || fault?.kind === 'stall') && payload.length > 0) {
          response.write(payload.subarray(0, Math.min(fault.bytes, payload.length - 1)))
          if (fault.kind === 'truncate') response.socket?.destroy()
          return
        }
        if (fault?.kind === 'corrupt' && payload.length > 0) {
          const middle = Math.floor(payload.length / 2)
          payload[middle] = (payload[middle] ?? 0) ^ 0xff
        }
        response.end(payload)
      })
    },
  )
  outgoing.on('error', () => response.socket?.destroy())
  outgoing.end(body)
}
