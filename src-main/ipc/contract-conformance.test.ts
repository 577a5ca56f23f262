import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { INVOKE_CHANNELS, invokeChannels, type InvokeChannel } from '@wms/shared/ipc/contract'
import { createDemoWorkspace } from 'training-runner/workspace/demo-workspace'
import { createElectronInvokeHandler } from '../electron/invoke-handler.js'
import { createAppServices, type AppServices } from '../services/app-services.js'
import { startWebHost, type WebHost } from '../web-host/server.js'
import { createDispatcher, type Dispatch } from './dispatch.js'
import { EventHub } from './event-hub.js'

const RENDERER_URL = 'file:///app/out/renderer/index.html'

// Requests that are valid for each channel; a new channel without an example fails this test on purpose.
const VALID_REQUESTS: Record<InvokeChannel, unknown> = {
  'app:get-info': {},
  'workspace:get-info': {},
  'workspace:get-config': {},
}

describe('the IPC contract, served by both hosts', () => {
  let base: string
  let services: AppServices
  let dispatch: Dispatch
  let host: WebHost
  let staticDir: string

  const viaElectron = (channel: unknown, payload: unknown) =>
    createElectronInvokeHandler(dispatch, RENDERER_URL)(
      { senderFrame: { url: `${RENDERER_URL}#/pipeline` } },
      channel,
      payload,
    )

  const viaWeb = async (channel: string, payload: unknown) => {
    const response = await fetch(`http://127.0.0.1:${String(host.port)}/api/invoke/${channel}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(payload),
    })
    const body: unknown = await response.json()
    return body
  }

  beforeAll(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'wms-contract-'))
    const layout = await createDemoWorkspace(path.join(base, 'demo'), { pairs: 2, incoming: 0 })
    staticDir = path.join(base, 'static')
    await writeFile(path.join(base, 'placeholder'), '')
    const events = new EventHub()
    services = createAppServices({
      workspaceRoot: layout.workspace,
      host: 'web',
      version: '1.2.3',
      versions: { node: process.versions.node, electron: null, chrome: null },
      events,
    })
    dispatch = createDispatcher(services.handlers)
    host = await startWebHost({ dispatch, events, staticDir })
  })

  afterAll(async () => {
    await host.close()
    await services.dispose()
    await rm(base, { recursive: true, force: true })
  })

  it('has exactly one handler per channel and no handler without a channel', () => {
    expect(Object.keys(services.handlers).sort()).toEqual([...INVOKE_CHANNELS].sort())
    expect(Object.keys(VALID_REQUESTS).sort()).toEqual([...INVOKE_CHANNELS].sort())
  })

  it.each(INVOKE_CHANNELS)(
    '%s answers the same, valid response over Electron IPC and the web host',
    async (channel) => {
      const electron = await viaElectron(channel, VALID_REQUESTS[channel])
      const web = await viaWeb(channel, VALID_REQUESTS[channel])
      expect(web).toEqual(electron)
      expect(electron.ok).toBe(true)
      if (electron.ok) expect(invokeChannels[channel].response.safeParse(electron.value).success).toBe(true)
    },
  )

  it('returns the same typed error for an invalid payload on both transports', async () => {
    const electron = await viaElectron('app:get-info', { unexpected: true })
    const web = await viaWeb('app:get-info', { unexpected: true })
    expect(web).toEqual(electron)
    expect(electron).toMatchObject({ ok: false, error: { code: 'ipc/invalid-payload' } })
  })

  it('returns the same typed error for an unknown channel on both transports', async () => {
    const electron = await viaElectron('files:delete-everything', {})
    const web = await viaWeb('files:delete-everything', {})
    expect(web).toEqual(electron)
    expect(electron).toMatchObject({ ok: false, error: { code: 'ipc/unknown-channel' } })
  })

  it('refuses Electron calls from a frame that is not the app window', async () => {
    const handler = createElectronInvokeHandler(dispatch, RENDERER_URL)
    expect(await handler({ senderFrame: { url: 'https://evil.example/' } }, 'app:get-info', {})).toMatchObject({
      ok: false,
      error: { code: 'ipc/forbidden' },
    })
    expect(await handler({ senderFrame: null }, 'app:get-info', {})).toMatchObject({ ok: false })
  })

  it('turns a throwing handler into an internal error instead of crashing', async () => {
    const unexpected: unknown[] = []
    const throwing = createDispatcher(
      { ...services.handlers, 'app:get-info': () => Promise.reject(new Error('kaboom')) },
      { onUnexpectedError: (_channel, thrown) => unexpected.push(thrown) },
    )
    expect(await throwing('app:get-info', {})).toMatchObject({ ok: false, error: { code: 'internal' } })
    expect(unexpected).toHaveLength(1)
  })
})
