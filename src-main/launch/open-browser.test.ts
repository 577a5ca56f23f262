import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDispatcher } from '../ipc/dispatch.js'
import { EventHub } from '../ipc/event-hub.js'
import type { InvokeHandlers } from '@wms/shared/ipc/contract'
import { startWebHost, type WebHost } from '../web-host/server.js'
import { rawRequest } from '../web-host/test-http.js'
import { browserCommand, openBrowser, shouldOpenBrowser } from './open-browser.js'

const linux = (env: NodeJS.ProcessEnv, isTTY = true) => ({ env, isTTY, platform: 'linux' as const })

describe('whether npm start opens a browser', () => {
  it.each([
    ['a person at a terminal', [], linux({}), true],
    ['BROWSER=none, even on a terminal', [], linux({ BROWSER: 'none' }), false],
    ['BROWSER=NONE', [], linux({ BROWSER: 'NONE' }), false],
    ['--no-open', ['--no-open'], linux({}), false],
    ['CI', [], linux({ CI: '1' }), false],
    ['no terminal', [], linux({}, false), false],
  ])('%s → %s', (_label, args, environment, expected) => {
    expect(shouldOpenBrowser(args, environment)).toBe(expected)
  })

  it('uses BROWSER as the opener when set, else the platform opener', () => {
    expect(browserCommand(linux({ BROWSER: 'firefox' }))).toBe('firefox')
    expect(browserCommand(linux({}))).toBe('xdg-open')
    expect(browserCommand({ env: {}, platform: 'darwin' })).toBe('open')
    expect(browserCommand(linux({ BROWSER: 'none' }))).toBeUndefined()
  })
})

describe('opening the browser on the web host', () => {
  let dir: string
  let host: WebHost

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'wms-open-'))
    await mkdir(path.join(dir, 'static'))
    host = await startWebHost({
      dispatch: createDispatcher({} as InvokeHandlers),
      events: new EventHub(),
      staticDir: path.join(dir, 'static'),
    })
  })

  afterAll(async () => {
    await host.close()
    await rm(dir, { recursive: true, force: true })
  })

  // A stand-in browser that writes down its command line, which is what `ps` shows every local user.
  async function fakeBrowser(): Promise<{ command: string; argv: () => Promise<string> }> {
    const record = path.join(dir, `argv-${String(Date.now())}.txt`)
    const command = path.join(dir, 'fake-browser.sh')
    await writeFile(command, `#!/bin/sh\nprintf '%s\\n' "$@" > "${record}.tmp" && mv "${record}.tmp" "${record}"\n`)
    await chmod(command, 0o700)
    const argv = async (): Promise<string> => {
      for (let attempt = 0; attempt < 200; attempt += 1) {
        const text = await readFile(record, 'utf8').catch(() => undefined)
        if (text !== undefined) return text
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      throw new Error('the fake browser was not started')
    }
    return { command, argv }
  }

  it('hands over a one-time code, never the token, on the command line; the code works once', async () => {
    const browser = await fakeBrowser()
    expect(
      openBrowser(host.launchUrl(), { env: { ...process.env, BROWSER: browser.command }, platform: 'linux' }),
    ).toBe(true)
    const argv = await browser.argv()
    expect(argv).not.toContain(host.token)
    const code = /#code=([0-9a-f]+)/.exec(argv)?.[1] ?? ''
    expect(code).not.toBe('')
    const exchange = () =>
      rawRequest(host.port, {
        method: 'POST',
        path: '/api/launch-code',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ code }),
      })
    expect(JSON.parse((await exchange()).body)).toEqual({ ok: true, value: { token: host.token } })
    expect((await exchange()).status).toBe(401)
  })

  it('starts nothing with BROWSER=none', () => {
    expect(openBrowser(host.launchUrl(), { env: { BROWSER: 'none' }, platform: 'linux' })).toBe(false)
  })
})
