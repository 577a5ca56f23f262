import net from 'node:net'

/** Bytes that crossed the proxy since the last reset. */
export interface ByteCounters {
  /** Client → server (requests, uploads). */
  sent: number
  /** Server → client (responses, downloads). */
  received: number
}

/** A TCP proxy on 127.0.0.1 that counts every byte both ways (headers included), for honest transfer numbers. */
export interface CountingProxy {
  endpoint: string
  counters: ByteCounters
  reset(): void
  close(): Promise<void>
}

/** Starts a proxy forwarding to `target` (`http://127.0.0.1:<port>`). */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target)
  const counters: ByteCounters = { sent: 0, received: 0 }
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const remote = net.connect(Number(upstream.port), upstream.hostname)
    for (const socket of [client, remote]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => {
        client.destroy()
        remote.destroy()
      })
    }
    client.on('data', (chunk: Buffer) => (counters.sent += chunk.length))
    remote.on('data', (chunk: Buffer) => (counters.received += chunk.length))
    client.pipe(remote)
    remote.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as net.AddressInfo
  return {
    endpoint: `http://127.0.0.1:${String(address.port)}`,
    counters,
    reset: () => {
      counters.sent = 0
      counters.received = 0
    },
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
