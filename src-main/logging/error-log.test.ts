import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { INVOKE_CHANNELS, type InvokeHandlers } from '@wms/shared/ipc/contract'
import { attempt } from '@wms/shared/result'
import { createDispatcher } from '../ipc/dispatch.js'
import { EventHub } from '../ipc/event-hub.js'
import { startWebHost } from '../web-host/server.js'
import { rawRequest } from '../web-host/test-http.js'
import { createErrorLog, ERROR_LOG_RELATIVE, scrubSecrets } from './error-log.js'

const TOKEN = 'a1'.repeat(32)

describe('scrubSecrets', () => {
  it.each([
    ['a known secret', `failed for ${TOKEN.slice(0, 20)}`, [TOKEN.slice(0, 20)], TOKEN.slice(0, 20)],
    ['a bearer header', 'Authorization: Bearer abc.def-123', [], 'abc.def-123'],
    ['a token= pair', 'GET /x?token=s3cr3tvalue&x=1', [], 's3cr3tvalue'],
    ['a JSON secret', '{"aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG"}', [], 'wJalrXUtnFEMI'],
    ['URL credentials', 'push to https://bot:hunter2@git.example/repo.git failed', [], 'hunter2'],
    ['an AWS key id', 'key AKIAIOSFODNN7EXAMPLE denied', [], 'AKIAIOSFODNN7EXAMPLE'],
    ['a GitHub token', 'auth ghp_abcdefghijklmnopqrstuvwxyz0123456789', [], 'ghp_abcdefghij'],
    ['a 64-hex launch token', `url http://127.0.0.1:1/#token=${TOKEN}`, [], TOKEN],
    ['a launch code', `open http://127.0.0.1:1/#code=${TOKEN.slice(0, 32)}`, [], TOKEN.slice(0, 32)],
    ['a WebSocket token', `protocol wms.token.${TOKEN.slice(0, 40)}`, [], TOKEN.slice(0, 40)],
  ])('removes %s', (_label, text, secrets, secret) => {
    const scrubbed = scrubSecrets(text, secrets)
    expect(scrubbed).not.toContain(secret)
    expect(scrubbed).toContain('[redacted]')
  })

  it('keeps what helps find the bug', () => {
    const text =
      'TypeError: x is undefined\n    at run (/app/out/main/web-host.js:10:5) commit 0123456789abcdef, exit code: 128, author: Ann'
    expect(scrubSecrets(text)).toBe(text)
  })
})

describe('the error log', () => {
  let userData: string

  beforeEach(async () => {
    userData = await mkdtemp(path.join(os.tmpdir(), 'wms-log-'))
  })

  afterEach(async () => {
    await rm(userData, { recursive: true, force: true })
  })

  const throwingHandlers = (thrown: Error): InvokeHandlers =>
    Object.fromEntries(
      INVOKE_CHANNELS.map((channel) => [channel, () => Promise.reject(thrown)]),
    ) as unknown as InvokeHandlers

  it('writes an internal error, without secrets, where the message says', async () => {
    const log = createErrorLog(userData)
    log.addSecret(TOKEN)
    const dispatch = createDispatcher(
      throwingHandlers(new Error(`kaboom while pushing to https://bot:hunter2@git.example with ${TOKEN}`)),
      { onUnexpectedError: (channel, thrown) => log.write(channel, thrown) },
    )
    const result = await dispatch('staging:get-state', {})
    const file = path.join(userData, ERROR_LOG_RELATIVE)
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } })
    if (result.ok) return
    expect(result.error.hint).toContain(file)
    const text = await readFile(file, 'utf8')
    expect(text).toContain('internal error in staging:get-state')
    expect(text).toContain('kaboom while pushing')
    expect(text).toMatch(/at .*error-log\.test\.ts/)
    expect(text).not.toContain(TOKEN)
    expect(text).not.toContain('hunter2')
    expect((await stat(file)).mode & 0o777).toBe(0o600)
  })

  it('logs an internal error a handler returned as a result (caught by attempt), with its stack', async () => {
    const log = createErrorLog(userData)
    const handlers = {
      ...throwingHandlers(new Error('unused')),
      'pipeline:list-data-branches': () =>
        attempt(() => Promise.reject(new Error('Cannot use simple-git on a directory that does not exist'))),
    } as InvokeHandlers
    const dispatch = createDispatcher(handlers, { onUnexpectedError: (channel, thrown) => log.write(channel, thrown) })
    const result = await dispatch('pipeline:list-data-branches', {})
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.error.code).toBe('internal')
      expect(result.error.hint).toContain(log.file)
    }
    // What crossed the boundary is plain data: the thrown error stays behind.
    expect(JSON.parse(JSON.stringify(result))).toEqual(result)
    expect(Object.keys(result.ok ? {} : result.error).sort()).toEqual(['code', 'hint', 'message'])
    const text = await readFile(log.file, 'utf8')
    expect(text).toContain('internal error in pipeline:list-data-branches')
    expect(text).toMatch(/Error: Cannot use simple-git[^\n]*\n\s+at /)
  })

  it('says so when the log cannot be written, instead of pointing to a file that is not there', async () => {
    // The log folder's place is taken by a file: the log cannot be created.
    await writeFile(path.join(userData, 'logs'), 'not a folder')
    const log = createErrorLog(userData)
    const dispatch = createDispatcher(throwingHandlers(new Error('kaboom')), {
      onUnexpectedError: (channel, thrown) => log.write(channel, thrown),
    })
    const result = await dispatch('app:get-info', {})
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } })
    if (!result.ok) expect(result.error.hint).toContain('could not be written')
  })

  it('logs a web host request that failed unexpectedly, and the 500 answer says where', async () => {
    const log = createErrorLog(userData)
    const static_ = path.join(userData, 'static')
    await mkdir(static_)
    const host = await startWebHost({
      dispatch: createDispatcher(throwingHandlers(new Error('unused'))),
      events: new EventHub(),
      staticDir: static_,
      media: () => Promise.reject(new Error(`media broke for ${TOKEN}`)),
      onInternalError: (where, thrown) => log.write(where, thrown),
    })
    log.addSecret(host.token)
    try {
      const session = await rawRequest(host.port, {
        method: 'POST',
        path: '/api/session',
        headers: { Authorization: `Bearer ${host.token}` },
      })
      const cookie = [session.headers['set-cookie'] ?? []].flat()[0]?.split(';')[0] ?? ''
      const response = await rawRequest(host.port, { path: '/media/pairs/x/image', headers: { Cookie: cookie } })
      expect(response.status).toBe(500)
      expect(JSON.parse(response.body)).toMatchObject({ ok: false, error: { code: 'internal' } })
      expect(response.body).toContain(log.file)
      const text = await readFile(log.file, 'utf8')
      expect(text).toContain('GET /media/pairs/x/image')
      expect(text).toContain('media broke')
      expect(text).not.toContain(TOKEN)
      expect(text).not.toContain(host.token)
    } finally {
      await host.close()
    }
  })
})
