import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { ok } from '@wms/shared/result'
import { INVOKE_CHANNELS, type InvokeHandlers } from '@wms/shared/ipc/contract'
import { createDispatcher } from '../ipc/dispatch.js'
import { EventHub } from '../ipc/event-hub.js'
import { mediaCookieName } from './routes.js'
import { startWebHost, type WebHost } from './server.js'
import { rawRequest } from './test-http.js'

const handlers = {
  ...Object.fromEntries(INVOKE_CHANNELS.map((channel) => [channel, () => Promise.reject(new Error('unused'))])),
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
} as unknown as InvokeHandlers

const PICTURE = Buffer.from('picture bytes')

describe('web host secrets', () => {
  let host: WebHost
  let dir: string
  let clock = 1_000_000

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'wms-secrets-'))
    await mkdir(path.join(dir, 'static'))
    await writeFile(path.join(dir, 'static', 'index.html'), '<!doctype html><title>WMS</title>')
    host = await startWebHost({
      dispatch: createDispatcher(handlers),
      events: new EventHub(),
      staticDir: path.join(dir, 'static'),
      media: () => Promise.resolve({ status: 200, contentType: 'image/png', body: PICTURE }),
      mediaKeyTtlMs: 60_000,
      launchCodeTtlMs: 30_000,
      now: () => clock,
    })
  })

  afterAll(async () => {
    await host.close()
    await rm(dir, { recursive: true, force: true })
  })

  const post = (route: string, headers: Record<string, string>, body = '{}') =>
    rawRequest(host.port, {
      method: 'POST',
      path: route,
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
    })
  const startSession = () => post('/api/session', { Authorization: `Bearer ${host.token}` })
  const mediaKeyOf = (setCookie: string | string[] | undefined): string => {
    const cookie = [setCookie ?? []].flat().join('\n')
    const key = new RegExp(`${mediaCookieName(host.port)}=([0-9a-f]+)`).exec(cookie)?.[1]
    if (key === undefined) throw new Error(`no media cookie in ${cookie}`)
    return key
  }
  const getMedia = (key: string) =>
    rawRequest(host.port, {
      path: '/media/pairs/a/image-thumb',
      headers: { Cookie: `${mediaCookieName(host.port)}=${key}` },
    })

  describe('the media cookie (21.7)', () => {
    it('never carries the API token: a separate, scoped, expiring key, named for this port', async () => {
      const session = await startSession()
      expect(session.status).toBe(200)
      const setCookie = [session.headers['set-cookie'] ?? []].flat().join('\n')
      expect(setCookie).not.toContain(host.token)
      expect(setCookie).toContain(`${mediaCookieName(host.port)}=`)
      expect(setCookie).toMatch(/HttpOnly/)
      expect(setCookie).toMatch(/SameSite=Strict/)
      expect(setCookie).toMatch(/Path=\/media\//)
      expect(setCookie).toMatch(/Max-Age=60\b/)
      // No other answer of the host sets a cookie with the token either.
      for (const response of [
        await rawRequest(host.port, { path: '/' }),
        await post('/api/invoke/app:get-info', { Authorization: `Bearer ${host.token}` }),
      ]) {
        expect([response.headers['set-cookie'] ?? []].flat().join('')).not.toContain(host.token)
      }
    })

    it('unlocks pictures, and nothing else: no API call, no event stream', async () => {
      const key = mediaKeyOf((await startSession()).headers['set-cookie'])
      const picture = await getMedia(key)
      expect(picture.status).toBe(200)
      expect(picture.body).toBe(PICTURE.toString())

      const cookie = `${mediaCookieName(host.port)}=${key}`
      expect((await post('/api/invoke/app:get-info', { Authorization: `Bearer ${key}` })).status).toBe(401)
      expect((await post('/api/invoke/app:get-info', { Cookie: cookie })).status).toBe(401)
      expect((await post('/api/session', { Authorization: `Bearer ${key}` })).status).toBe(401)
      const socket = new WebSocket(`ws://127.0.0.1:${String(host.port)}/api/events`, ['wms.v1', `wms.token.${key}`])
      await new Promise<void>((resolve) => socket.on('error', () => resolve()))
    })

    it('expires: a key older than its lifetime no longer unlocks pictures; a renewed one does', async () => {
      const key = mediaKeyOf((await startSession()).headers['set-cookie'])
      clock += 61_000
      expect((await getMedia(key)).status).toBe(401)
      const renewed = mediaKeyOf((await startSession()).headers['set-cookie'])
      expect((await getMedia(renewed)).status).toBe(200)
    })

    it('refuses pictures without a key, or with the key of another port', async () => {
      const key = mediaKeyOf((await startSession()).headers['set-cookie'])
      expect((await rawRequest(host.port, { path: '/media/pairs/a/image-thumb' })).status).toBe(401)
      const otherPort = await rawRequest(host.port, {
        path: '/media/pairs/a/image-thumb',
        headers: { Cookie: `${mediaCookieName(host.port + 1)}=${key}` },
      })
      expect(otherPort.status).toBe(401)
    })
  })

  describe('the launch code (21.8)', () => {
    const exchange = (code: string) => post('/api/launch-code', {}, JSON.stringify({ code }))

    it('opens the browser with a one-time code instead of the token, traded once for the token', async () => {
      const url = host.launchUrl()
      expect(url).not.toContain(host.token)
      const code = /#code=([0-9a-f]+)$/.exec(url)?.[1] ?? ''
      expect(code).toMatch(/^[0-9a-f]{32}$/)
      const first = await exchange(code)
      expect(first.status).toBe(200)
      expect(JSON.parse(first.body)).toEqual({ ok: true, value: { token: host.token } })
      const replay = await exchange(code)
      expect(replay.status).toBe(401)
      expect(replay.body).not.toContain(host.token)
      expect(JSON.parse(replay.body)).toMatchObject({ ok: false, error: { code: 'ipc/forbidden' } })
    })

    it('refuses an expired code, a made-up code, and a code from a foreign page', async () => {
      const expired = /#code=([0-9a-f]+)$/.exec(host.launchUrl())?.[1] ?? ''
      clock += 31_000
      expect((await exchange(expired)).status).toBe(401)
      expect((await exchange('0'.repeat(32))).status).toBe(401)
      expect((await post('/api/launch-code', {}, 'not json')).status).toBe(401)
      const fresh = /#code=([0-9a-f]+)$/.exec(host.launchUrl())?.[1] ?? ''
      const foreign = await post(
        '/api/launch-code',
        { Origin: 'https://evil.example' },
        JSON.stringify({ code: fresh }),
      )
      expect(foreign.status).toBe(403)
      expect(foreign.body).not.toContain(host.token)
    })
  })
})
