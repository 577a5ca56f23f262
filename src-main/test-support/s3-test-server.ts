import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import { buildApp } from 'fauxqs'

/** An answer to force on the next requests, as AWS S3 would send it. */
export interface S3Fault {
  status: number
  /** S3's XML error code (`InvalidAccessKeyId`, `SignatureDoesNotMatch`, `AccessDenied`, …). */
  code?: string
  headers?: Record<string, string>
}

interface FauxqsReply {
  code(status: number): FauxqsReply
  header(name: string, value: string): FauxqsReply
  send(body?: string): void
}

// The part of fauxqs's Fastify app used here (its published types do not resolve under our module resolution).
interface FauxqsApp {
  addHook(
    name: 'onRequest',
    hook: (request: { method: string; url: string }, reply: FauxqsReply, done: () => void) => void,
  ): unknown
  listen(options: { port: number; host: string }): Promise<string>
  close(): Promise<void>
}
const buildFauxqs = buildApp as unknown as (options: { logger: boolean }) => FauxqsApp

/** A running server. */
export interface SettingsS3Server {
  endpoint: string
  bucket: string
  /** When set, every request is answered with this fault (per method: HEAD has no body, as with AWS). */
  fault: S3Fault | undefined
  close(): Promise<void>
}

/** Static credentials (fauxqs does not check signatures; faults stand in for AWS's refusals). */
export const S3_TEST_KEYS = { accessKeyId: 'AKIAWMSTEST000000000', secretAccessKey: 'wms-test-secret-key' }

/**
 * The repository's S3-protocol test server (fauxqs, in memory, on 127.0.0.1) with one bucket, and faults that answer
 * the way AWS does where fauxqs does not check: a 301 with `x-amz-bucket-region` for a bucket in another region,
 * 403s with S3's error codes for a wrong key or secret or a missing permission.
 */
export async function startSettingsS3Server(bucket = 'wms-settings'): Promise<SettingsS3Server> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
  const app = buildFauxqs({ logger: false })
  const server: SettingsS3Server = { endpoint: '', bucket, fault: undefined, close: () => app.close() }
  app.addHook('onRequest', (request, reply, done) => {
    const fault = server.fault
    if (fault === undefined) {
      done()
      return
    }
    let answer = reply.code(fault.status).header('Content-Type', 'application/xml')
    for (const [name, value] of Object.entries(fault.headers ?? {})) answer = answer.header(name, value)
    answer.send(
      request.method === 'HEAD' || fault.code === undefined
        ? ''
        : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code><Message>${fault.code}</Message><RequestId>1</RequestId></Error>`,
    )
  })
  server.endpoint = await app.listen({ port: 0, host: '127.0.0.1' })
  const client = new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3_TEST_KEYS,
  })
  await client.send(new CreateBucketCommand({ Bucket: bucket }))
  client.destroy()
  return server
}
