import { CreateBucketCommand, ListObjectsV2Command, GetObjectCommand, S3Client } from '@aws-sdk/client-s3'
import type { Socket } from 'node:net'
import { buildApp } from 'fauxqs'

/**
 * A real S3-protocol server (fauxqs 1.9.2, in memory) on 127.0.0.1 for tests and the bench, with what fault
 * injection needs: a request log, a hook that runs when a request arrives, and `kill()`/`restart()` that drop every
 * connection and refuse new ones while the stored objects survive (like an S3 endpoint that goes away and comes
 * back).
 */
export interface TestS3Server {
  endpoint: string
  bucket: string
  /** Method and path of every request received, in order. */
  requests: { method: string; url: string }[]
  /** Called with each request as it arrives (before its body is read). */
  onRequest: ((request: { method: string; url: string }) => void) | undefined
  /** Drops every open connection and stops listening. */
  kill(): Promise<void>
  /** Listens again on the same port, with the same objects. */
  restart(): Promise<void>
  /** Every key in the bucket. */
  keys(): Promise<string[]>
  /** An object's bytes. */
  read(key: string): Promise<Uint8Array>
  /** A client for this server (static test credentials, checksums only when required). */
  client(): S3Client
  close(): Promise<void>
}

/** Static credentials the test server accepts (fauxqs does not check signatures). */
export const TEST_CREDENTIALS = { accessKeyId: 'wms-test', secretAccessKey: 'wms-test-secret' }

/** Starts a server with one empty bucket. */
export async function startS3Server(bucket = 'wms-dvc'): Promise<TestS3Server> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
  const app = buildApp({ logger: false })
  const sockets = new Set<Socket>()
  const server: TestS3Server = {
    endpoint: '',
    bucket,
    requests: [],
    onRequest: undefined,
    kill: async () => {
      for (const socket of sockets) socket.destroy()
      sockets.clear()
      await new Promise<void>((resolve) => app.server.close(() => resolve()))
    },
    restart: async () => {
      const port = Number(new URL(server.endpoint).port)
      await new Promise<void>((resolve, reject) => {
        app.server.once('error', reject)
        app.server.listen({ port, host: '127.0.0.1' }, () => resolve())
      })
    },
    keys: async () => {
      const client = server.client()
      const keys: string[] = []
      let token: string | undefined
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }))
        keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ''))
        token = page.NextContinuationToken
      } while (token !== undefined)
      client.destroy()
      return keys.sort()
    },
    read: async (key) => {
      const client = server.client()
      const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
      const bytes = await response.Body!.transformToByteArray()
      client.destroy()
      return bytes
    },
    client: () =>
      new S3Client({
        endpoint: server.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: TEST_CREDENTIALS,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
    close: async () => {
      for (const socket of sockets) socket.destroy()
      if (app.server.listening) await app.close()
    },
  }
  app.addHook('onRequest', (request, _reply, done) => {
    const entry = { method: request.method, url: request.url }
    server.requests.push(entry)
    server.onRequest?.(entry)
    done()
  })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.endpoint = address
  const client = server.client()
  await client.send(new CreateBucketCommand({ Bucket: bucket }))
  client.destroy()
  return server
}
