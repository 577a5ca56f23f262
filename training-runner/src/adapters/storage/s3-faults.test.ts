import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WmsError } from '@wms/shared/errors'
import { md5Bytes } from '../../fs/hash-file.js'
import { startFaultProxy, type FaultProxy } from '../../../test/helpers/fault-proxy.js'
import { startS3Server, TEST_CREDENTIALS, type TestS3Server } from '../../../test/helpers/s3-server.js'
import { useTempDirs } from '../../../test/helpers/temp-dir.js'
import { createS3RemoteStore } from './s3-remote.js'
import type { RemoteStore } from './remote-store.js'

const tempDir = useTempDirs()
let s3: TestS3Server
let proxy: FaultProxy
const open: RemoteStore[] = []
beforeAll(async () => {
  s3 = await startS3Server()
  proxy = await startFaultProxy(s3.endpoint)
})
afterEach(() => {
  proxy.plan = undefined
  for (const store of open.splice(0)) store.close()
})
afterAll(async () => {
  await proxy.close()
  await s3.close()
})

/** A store behind the proxy, with test-sized timeouts and back-off. */
function storeBehindProxy(options: { requestTimeoutMs?: number; retries?: number } = {}): RemoteStore {
  const store = createS3RemoteStore({
    bucket: s3.bucket,
    prefix: `faults-${String(Math.random()).slice(2, 10)}`,
    region: 'us-east-1',
    endpoint: proxy.endpoint,
    forcePathStyle: true,
    credentials: TEST_CREDENTIALS,
    requestTimeoutMs: options.requestTimeoutMs ?? 2_000,
    retry: { retries: options.retries ?? 2, baseDelayMs: 10, maxDelayMs: 20 },
  })
  open.push(store)
  return store
}

const bytesOf = (text: string) => new TextEncoder().encode(text)
const hashOf = (bytes: Uint8Array) => md5Bytes(bytes)

describe('S3 remote against a failing server (fault-injecting proxy)', () => {
  it('gives up on a server that accepts requests and never answers, and says how long it tried', async () => {
    const store = storeBehindProxy({ requestTimeoutMs: 300, retries: 2 })
    const bytes = bytesOf('a hung server')
    await store.put(hashOf(bytes), { kind: 'bytes', bytes })
    proxy.plan = (request) => (request.method === 'GET' ? { kind: 'hang' } : undefined)
    const started = Date.now()
    const failure = await store.getBytes(hashOf(bytes)).catch((thrown: unknown) => thrown)
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(failure).toBeInstanceOf(WmsError)
    expect((failure as WmsError).code).toBe('storage/unavailable')
    expect((failure as WmsError).message).toMatch(/gave up after 3 attempts over [\d.]+ s/)
    expect((failure as WmsError).message).toContain('3 attempts of up to 0.3 s each')
  }, 15_000)

  it('gives up on a body that stalls half-way (download), leaving no temporary file', async () => {
    const store = storeBehindProxy({ requestTimeoutMs: 300, retries: 1 })
    const bytes = bytesOf('x'.repeat(200_000))
    await store.put(hashOf(bytes), { kind: 'bytes', bytes })
    proxy.plan = (request) => (request.method === 'GET' ? { kind: 'stall', bytes: 1000 } : undefined)
    const dir = await tempDir()
    const started = Date.now()
    const failure = await store.download(hashOf(bytes), path.join(dir, 'file.bin')).then(
      () => undefined,
      (thrown: unknown) => thrown as WmsError,
    )
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(failure).toBeInstanceOf(WmsError)
    expect(failure?.message).toMatch(/gave up after 2 attempts/)
    expect(await readdir(dir)).toEqual([])
  }, 15_000)

  it("waits as long as a 503's Retry-After asks before trying again", async () => {
    const store = storeBehindProxy({ retries: 2 })
    const bytes = bytesOf('busy server')
    await store.put(hashOf(bytes), { kind: 'bytes', bytes })
    const before = proxy.requests.length
    proxy.plan = (_request, index) =>
      index === before
        ? {
            kind: 'status',
            status: 503,
            headers: { 'retry-after': '1' },
            body: '<Error><Code>SlowDown</Code><Message>busy</Message></Error>',
          }
        : undefined
    expect(await store.stat(hashOf(bytes))).toMatchObject({ size: bytes.length })
    const [first, second] = proxy.requests.slice(before)
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950)
  }, 15_000)

  it('does not wait out a Retry-After longer than its patience, and says so', async () => {
    const store = storeBehindProxy({ retries: 3 })
    proxy.plan = () => ({ kind: 'status', status: 503, headers: { 'retry-after': '3600' }, body: '' })
    const started = Date.now()
    const failure = await store.stat(hashOf(bytesOf('never'))).then(
      () => undefined,
      (thrown: unknown) => thrown as WmsError,
    )
    expect(Date.now() - started).toBeLessThan(3_000)
    expect(failure?.message).toContain('the server asked to wait 60.0 min, longer than we wait')
  }, 15_000)
})
