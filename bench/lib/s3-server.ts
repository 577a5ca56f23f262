import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import { buildApp } from 'fauxqs'

// The part of fauxqs's Fastify app the bench uses (its published types do not resolve under Bundler resolution).
interface FauxqsApp {
  addHook(
    name: 'onRequest',
    hook: (request: { method: string; url: string }, reply: unknown, done: () => void) => void,
  ): unknown
  listen(options: { port: number; host: string }): Promise<string>
  close(): Promise<void>
}
const buildFauxqs = buildApp as unknown as (options: { logger: boolean }) => FauxqsApp

/** An in-memory S3-protocol server (fauxqs 1.9.2) on 127.0.0.1 that logs each request's method and path. */
export interface BenchS3Server {
  endpoint: string
  bucket: string
  requests: { method: string; url: string }[]
  close(): Promise<void>
}

/** Static credentials for the bench (fauxqs does not check signatures). */
export const BENCH_CREDENTIALS = { accessKeyId: 'wms-bench', secretAccessKey: 'wms-bench-secret' }

/** Starts the server with one bucket. */
export async function startBenchS3Server(bucket = 'wms-bench'): Promise<BenchS3Server> {
  const app = buildFauxqs({ logger: false })
  const requests: BenchS3Server['requests'] = []
  app.addHook('onRequest', (request, _reply, done) => {
    requests.push({ method: request.method, url: request.url })
    done()
  })
  const endpoint = await app.listen({ port: 0, host: '127.0.0.1' })
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: BENCH_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
  await client.send(new CreateBucketCommand({ Bucket: bucket }))
  client.destroy()
  return { endpoint, bucket, requests, close: () => app.close() }
}
