import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { spawnCli } from '../../test/helpers/spawn-cli.js'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { selectBackend } from '../train/backend/select-backend.js'
import { testPhoto, writeTinyModel } from './fixtures/tiny-model.js'
import { folderSource } from './model-source.js'
import { startModelServer, type ModelServer } from './server.js'

/** Capacity (a bounded queue, then 503 + Retry-After) and graceful shutdown, in-process and by a real SIGTERM. */

const temp = useTempDirs()
const repoRoot = path.resolve(import.meta.dirname, '../../..')
let photo: Buffer
let closeServer: (() => Promise<void>) | undefined

beforeAll(async () => {
  await selectBackend('cpu')
  // Big enough that a prediction takes a while, so requests overlap.
  photo = await testPhoto(1200, 900)
})
afterEach(async () => {
  await closeServer?.()
  closeServer = undefined
})

async function serveTiny(options: { concurrency: number; maxWaiting: number }): Promise<ModelServer> {
  const model = await writeTinyModel(path.join(await temp('wms-serve-'), 'model'), { foreground: 'all' })
  const server = await startModelServer({ source: folderSource(model), port: 0, ...options })
  closeServer = () => server.close()
  await server.firstLoad
  return server
}

const predict = (url: string) =>
  fetch(`${url}/predict`, { method: 'POST', body: photo, headers: { 'content-type': 'image/jpeg' } })

describe('serve: capacity and shutdown', () => {
  it('queues up to the bound, then answers 503 with Retry-After, and serves the rest', async () => {
    const server = await serveTiny({ concurrency: 1, maxWaiting: 2 })
    const responses = await Promise.all(Array.from({ length: 12 }, () => predict(server.url)))
    const refused = responses.filter((response) => response.status === 503)
    const served = responses.filter((response) => response.status === 200)
    expect(served.length + refused.length).toBe(12)
    expect(served.length).toBeGreaterThanOrEqual(3)
    expect(refused.length).toBeGreaterThan(0)
    for (const response of refused) {
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      const body = (await response.json()) as { error: string; message: string }
      expect(body.error).toBe('overloaded')
      expect(body.message).toMatch(/capacity/)
    }
    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    expect(metrics).toContain(`reason="overloaded"} ${String(refused.length)}`)
    // Capacity frees up again.
    expect((await predict(server.url)).status).toBe(200)
  })

  it('finishes in-flight and queued requests on close, then refuses connections and frees the model', async () => {
    const tensorsBefore = tf.memory().numTensors
    const server = await serveTiny({ concurrency: 1, maxWaiting: 8 })
    const inFlight = Array.from({ length: 4 }, () => predict(server.url))
    const deadline = Date.now() + 10_000
    while (server.queue.active + server.queue.waiting < 4 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    const closed = server.close()
    const statuses = (await Promise.all(inFlight)).map((response) => response.status)
    await closed
    expect(statuses).toEqual([200, 200, 200, 200])
    await expect(fetch(`${server.url}/health`)).rejects.toThrow()
    expect(tf.memory().numTensors).toBe(tensorsBefore)
  })

  it('`training-runner serve` stops on SIGTERM after answering the requests it had, and exits 0', async () => {
    const model = await writeTinyModel(path.join(await temp('wms-serve-'), 'model'), { foreground: 'none' })
    const cli = spawnCli(['serve', '--model', model, '--port', '0', '--concurrency', '1', '--backend', 'cpu'], {
      cwd: repoRoot,
    })
    const listening = (err: string) => /listening on (http:\/\/[\d.:]+)/.exec(err)
    await Promise.race([
      cli.waitFor((_out, err) => listening(err) !== null && err.includes('serving model')),
      cli.exited.then(() => {
        throw new Error(`serve exited early:\n${cli.err()}`)
      }),
    ])
    const url = listening(cli.err())?.[1] as string
    // Small uploads (one packet each): a request still uploading or not yet accepted from the listen backlog when
    // SIGTERM lands is not in flight yet; in Kubernetes the chart's preStop delay covers that window.
    const small = await testPhoto(64, 48)
    const requests = Array.from({ length: 4 }, () =>
      fetch(`${url}/predict`, { method: 'POST', body: small, headers: { 'content-type': 'image/jpeg' } }),
    )
    const first = await Promise.race(requests)
    await new Promise((resolve) => setTimeout(resolve, 300))
    cli.child.kill('SIGTERM')
    // Known gap (report-20): a request whose bytes arrived while an inference blocked the event loop can still be
    // dropped at close; every request that got an answer must have got a 200, and the first one did.
    const settled = await Promise.allSettled(requests)
    expect(first.status).toBe(200)
    const answered = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value.status] : []))
    expect(answered.every((status) => status === 200)).toBe(true)
    // serve opts in to the CLI's cooperative stop, so a SIGTERM ends it gracefully with 0, not the forced 143.
    const exit = await cli.exited
    expect(exit.code).toBe(0)
    expect(exit.err).toMatch(/SIGTERM: finishing in-flight requests/)
    expect(exit.out).toMatch(/Stopped \(SIGTERM\)/)
  }, 90_000)
})
