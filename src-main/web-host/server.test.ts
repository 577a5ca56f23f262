import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { ok } from '@wms/shared/result'
import { summarizeStaging } from '@wms/shared/staging/summarize-staging'
import { createDispatcher } from '../ipc/dispatch.js'
import { EventHub } from '../ipc/event-hub.js'
import { INVOKE_CHANNELS, type InvokeHandlers } from '@wms/shared/ipc/contract'
import { startWebHost, type WebHost } from './server.js'

// Minimal handlers: these tests are about the transport, not the services.
const notUsed = Object.fromEntries(
  INVOKE_CHANNELS.map((channel) => [channel, () => Promise.reject(new Error(`${channel} is not used here`))]),
) as unknown as InvokeHandlers
const handlers: InvokeHandlers = {
  ...notUsed,
  'app:get-info': () =>
    Promise.resolve(
      ok({
        name: 'WMS Studio',
        version: '0',
        host: 'web' as const,
        platform: 'linux',
        versions: { node: '20', electron: null, chrome: null },
      }),
    ),
}

interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** A raw HTTP request (fetch cannot forge Host or omit Origin the way an attacker's client can). */
function raw(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        )
      },
    )
    req.on('error', reject)
    req.end(options.body)
  })
}

describe('web host security', () => {
  let host: WebHost
  let events: EventHub
  let dir: string

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'wms-web-'))
    await mkdir(path.join(dir, 'static', 'assets'), { recursive: true })
    await writeFile(path.join(dir, 'static', 'index.html'), '<!doctype html><title>WMS</title>')
    await writeFile(path.join(dir, 'static', 'assets', 'app.js'), 'console.log(1)')
    await writeFile(path.join(dir, 'secret.txt'), 'do not serve')
    events = new EventHub()
    host = await startWebHost({ dispatch: createDispatcher(handlers), events, staticDir: path.join(dir, 'static') })
  })

  afterAll(async () => {
    await host.close()
    await rm(dir, { recursive: true, force: true })
  })

  const call = (headers: Record<string, string>, body = '{}', channel = 'app:get-info') =>
    raw(host.port, {
      method: 'POST',
      path: `/api/invoke/${channel}`,
      headers: { Host: `127.0.0.1:${String(host.port)}`, 'Content-Type': 'application/json', ...headers },
      body,
    })

  it('listens on 127.0.0.1 with a random port and puts the token in the URL fragment', () => {
    expect(host.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${String(host.port)}/#token=[0-9a-f]{64}$`))
    expect(host.port).toBeGreaterThan(0)
  })

  it('answers calls that carry the token', async () => {
    const response = await call({ Authorization: `Bearer ${host.token}` })
    expect(response.status).toBe(200)
    expect(JSON.parse(response.body)).toMatchObject({ ok: true, value: { name: 'WMS Studio' } })
  })

  it.each([
    ['no token', {}],
    ['a wrong token', { Authorization: 'Bearer 0123' }],
    ['a token of the right length but wrong value', { Authorization: `Bearer ${'0'.repeat(64)}` }],
  ])('refuses a call with %s', async (_label, headers) => {
    const response = await call(headers)
    expect(response.status).toBe(401)
    expect(JSON.parse(response.body)).toMatchObject({ ok: false, error: { code: 'ipc/forbidden' } })
  })

  it('refuses a call from a foreign Origin even with the token', async () => {
    const response = await call({ Authorization: `Bearer ${host.token}`, Origin: 'https://evil.example' })
    expect(response.status).toBe(403)
    expect(JSON.parse(response.body)).toMatchObject({ ok: false, error: { code: 'ipc/forbidden' } })
  })

  it('refuses a forged Host header (DNS rebinding)', async () => {
    const response = await raw(host.port, { path: '/', headers: { Host: `evil.example:${String(host.port)}` } })
    expect(response.status).toBe(403)
  })

  it('answers an invalid payload with a typed error, not a crash', async () => {
    const invalid = await call({ Authorization: `Bearer ${host.token}` }, '{"extra": 1}')
    expect(invalid.status).toBe(400)
    expect(JSON.parse(invalid.body)).toMatchObject({ ok: false, error: { code: 'ipc/invalid-payload' } })
    const malformed = await call({ Authorization: `Bearer ${host.token}` }, '{not json')
    expect(malformed.status).toBe(400)
    expect(JSON.parse(malformed.body)).toMatchObject({ ok: false, error: { code: 'ipc/invalid-payload' } })
    const unknown = await call({ Authorization: `Bearer ${host.token}` }, '{}', 'nope:nothing')
    expect(unknown.status).toBe(404)
    // And the host still works afterwards.
    expect((await call({ Authorization: `Bearer ${host.token}` })).status).toBe(200)
  })

  it('refuses other content types', async () => {
    const response = await call({ Authorization: `Bearer ${host.token}`, 'Content-Type': 'text/plain' })
    expect(response.status).toBe(415)
  })

  it('serves the app with a strict CSP and never a file outside its folder', async () => {
    const page = await raw(host.port, { path: '/', headers: { Host: `localhost:${String(host.port)}` } })
    expect(page.status).toBe(200)
    expect(page.headers['content-security-policy']).toContain("default-src 'self'")
    expect(page.body).toContain('<title>WMS</title>')
    const asset = await raw(host.port, { path: '/assets/app.js', headers: { Host: `127.0.0.1:${String(host.port)}` } })
    expect(asset.headers['cache-control']).toContain('immutable')
    for (const attempt of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const response = await raw(host.port, { path: attempt, headers: { Host: `127.0.0.1:${String(host.port)}` } })
      expect(response.body).not.toContain('do not serve')
    }
  })

  it('streams events over WebSocket only with the token', async () => {
    const url = `ws://127.0.0.1:${String(host.port)}/api/events`
    const refused = new WebSocket(url, ['wms.v1'])
    await new Promise<void>((resolve) => refused.on('error', () => resolve()))

    const foreign = new WebSocket(url, ['wms.v1', `wms.token.${host.token}`], { origin: 'https://evil.example' })
    await new Promise<void>((resolve) => foreign.on('error', () => resolve()))

    const client = new WebSocket(url, ['wms.v1', `wms.token.${host.token}`], {
      origin: `http://127.0.0.1:${String(host.port)}`,
    })
    await new Promise<void>((resolve, reject) => client.on('open', resolve).on('error', reject))
    const received = new Promise<unknown>((resolve) =>
      client.on('message', (data: Buffer) => resolve(JSON.parse(data.toString('utf8')))),
    )
    const update = {
      pairs: [],
      removed: ['pair-1'],
      problems: [],
      summary: summarizeStaging([]),
      submission: null,
      undo: null,
    }
    events.emit('staging:updated', update)
    expect(await received).toEqual({ channel: 'staging:updated', payload: update })
    client.close()
  })
})
