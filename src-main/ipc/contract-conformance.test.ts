import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { INVOKE_CHANNELS, invokeChannels, UPLOAD_CHANNELS, type InvokeChannel } from '@wms/shared/ipc/contract'
import { MAX_UPLOAD_FILE_BYTES } from '@wms/shared/ipc/upload-limit'
import { createDemoWorkspace } from 'training-runner'
import { createElectronInvokeHandler, createElectronUploadHandler } from '../electron/invoke-handler.js'
import { fakeStagingDeps } from '../test-support/fake-staging-deps.js'
import { createAppServices, type AppServices } from '../services/app-services.js'
import { openAppSession } from '../services/settings/app-session.js'
import { startWebHost, type WebHost } from '../web-host/server.js'
import { createDispatcher, createUploadDispatcher, type Dispatch, type DispatchUpload } from './dispatch.js'
import { EventHub } from './event-hub.js'

const RENDERER_URL = 'file:///app/out/renderer/index.html'

// The contract's upload pack, as the renderer builds it (u32le header length, JSON request, file bytes).
function packUpload(request: unknown, files: readonly Uint8Array[]): Uint8Array {
  const header = Buffer.from(JSON.stringify(request))
  const length = Buffer.alloc(4)
  length.writeUInt32LE(header.length)
  return Buffer.concat([length, header, ...files])
}

// Port 9 (discard) on loopback: nothing listens, so a connection is refused at once.
const CLOSED_PORT = 'http://127.0.0.1:9'

const PNG_1x1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=='

// A valid request for every channel; a new channel without an example fails this test on purpose. Channels that
// change state are marked: both transports must agree on success and on the error code, not on every byte.
const REQUESTS: Record<InvokeChannel, { request: unknown; mutates?: true }> = {
  'app:get-info': { request: {} },
  'workspace:get-info': { request: {} },
  'workspace:get-config': { request: {} },
  'staging:get-state': { request: {} },
  'staging:add-demo-samples': { request: {}, mutates: true },
  'staging:remove-pairs': { request: { ids: ['nothing-here'] } },
  'staging:apply-fixes': { request: { ids: ['nothing-here'] } },
  'staging:set-replacement': { request: { id: 'x', replacement: false }, mutates: true },
  'staging:clear': { request: {}, mutates: true },
  'staging:retry-qa': { request: {}, mutates: true },
  'staging:undo': { request: {}, mutates: true },
  'staging:get-settings': { request: {} },
  'staging:set-settings': { request: { fixOnAdd: true }, mutates: true },
  'submit:preview': { request: {}, mutates: true },
  'submit:start': { request: {} },
  'submit:retry': { request: {} },
  'submit:dismiss': { request: {} },
  'pipeline:list-data-branches': { request: {} },
  'pipeline:list-runs': { request: {} },
  // Settings (issue 17). Nothing here reaches the internet: GitHub and MLflow point at a closed loopback port.
  'settings:get-workspaces': { request: {} },
  'settings:open-workspace': { request: { path: '/no/such/wms-workspace' } },
  'settings:create-workspace': { request: { path: 'not/absolute' } },
  'settings:clone-workspace': { request: { url: 'https://example.invalid/x.git', path: 'not/absolute' } },
  'accounts:get': { request: {} },
  'accounts:save-github': {
    request: { apiUrl: CLOSED_PORT, webUrl: CLOSED_PORT, oauthClientId: 'Iv1.conformance' },
    mutates: true,
  },
  'accounts:github-token': { request: { token: 'ghp_conformance_token_value' } },
  'accounts:github-device-start': { request: {} },
  'accounts:github-device-cancel': { request: {} },
  'accounts:sign-out': { request: { service: 'github' }, mutates: true },
  'accounts:save-s3': { request: { mode: 'default-chain', region: 'us-east-1', bucket: 'wms-dvc' }, mutates: true },
  'accounts:save-mlflow': { request: { url: CLOSED_PORT, auth: 'none' }, mutates: true },
  // The answer carries the time the test took: compared on its shape, not byte for byte.
  'accounts:test': { request: { service: 'mlflow' }, mutates: true },
  // The status moves with every look at the source (its freshness says when the next is due): both transports
  // must answer with a valid status, not the same instant's.
  'pipeline:get-status': { request: {}, mutates: true },
  'pipeline:refresh-status': { request: {}, mutates: true },
  // Issue 17 (Models): the demo has no registered version yet, so rollback and try answer the same typed error.
  'models:get-overview': { request: {} },
  'models:rollback': { request: { version: '1' }, mutates: true },
  'models:try': { request: { version: '1', pairId: 'nothing-here' } },
}

describe('the IPC contract, served by both hosts', () => {
  let base: string
  let services: AppServices
  let dispatch: Dispatch
  let dispatchUpload: DispatchUpload
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
    return response.json()
  }

  beforeAll(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'wms-contract-'))
    const layout = await createDemoWorkspace(path.join(base, 'demo'), { pairs: 2, incoming: 0 })
    staticDir = path.join(base, 'static')
    const events = new EventHub()
    const session = await openAppSession({
      userDataDir: path.join(base, 'user-data'),
      initialRoot: layout.workspace,
      openWorkspace: (root, settings) =>
        createAppServices({
          workspaceRoot: root,
          host: 'web',
          version: '1.2.3',
          versions: { node: process.versions.node, electron: null, chrome: null },
          events,
          settings,
          staging: fakeStagingDeps(),
          demoIncoming: layout.incoming,
        }),
      onSecret: () => undefined,
      onAccountsChanged: (view) => events.emit('accounts:changed', view),
      onWorkspaceChanged: (current) => events.emit('settings:workspace-changed', current),
      env: {},
    })
    services = session.services
    dispatch = createDispatcher(services.handlers)
    dispatchUpload = createUploadDispatcher(services.uploadHandlers)
    host = await startWebHost({ dispatch, dispatchUpload, events, staticDir })
  })

  afterAll(async () => {
    await host.close()
    await services.dispose()
    await rm(base, { recursive: true, force: true })
  })

  const uploadViaElectron = (channel: unknown, pack: Uint8Array) =>
    createElectronUploadHandler(dispatchUpload, RENDERER_URL)(
      { senderFrame: { url: RENDERER_URL } },
      channel,
      new Uint8Array(pack).buffer,
    )

  const uploadViaWeb = async (channel: string, pack: Uint8Array) => {
    const response = await fetch(`http://127.0.0.1:${String(host.port)}/api/upload/${channel}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/octet-stream' },
      body: pack,
    })
    return response.json()
  }

  it('has exactly one handler per channel and no handler without a channel', () => {
    expect(Object.keys(services.handlers).sort()).toEqual([...INVOKE_CHANNELS].sort())
    expect(Object.keys(REQUESTS).sort()).toEqual([...INVOKE_CHANNELS].sort())
    expect(Object.keys(services.uploadHandlers).sort()).toEqual([...UPLOAD_CHANNELS].sort())
  })

  it('takes uploads over both transports: files stored with their bytes, the same answer', async () => {
    const png = Buffer.from(PNG_1x1, 'base64')
    const pack = packUpload(
      {
        files: [
          { path: 'set/images/u.png', size: png.length },
          { path: 'set/masks/u.png', size: png.length },
        ],
      },
      [png, png],
    )
    const electron = await uploadViaElectron('staging:add-files', pack)
    const web = (await uploadViaWeb('staging:add-files', pack)) as typeof electron
    expect(electron).toMatchObject({
      ok: true,
      value: { added: [{ relpath: 'images/u.png' }, { relpath: 'masks/u.png' }] },
    })
    expect(web).toMatchObject({
      ok: true,
      value: { added: [{ relpath: 'images/u.png', replaced: true }, { relpath: 'masks/u.png' }] },
    })
    const stored = services.staging.store.files['images/u.png']
    expect(stored?.bytes).toBe(png.length)
  })

  it.each([
    ['a header longer than the upload', Uint8Array.from([200, 0, 0, 0, 1, 2])],
    ['sizes that do not add up', packUpload({ files: [{ path: 'images/x.png', size: 10 }] }, [Buffer.from('short')])],
    [
      'a request that fails its schema',
      packUpload({ files: [{ path: '../escape.png', size: 1 }] }, [Buffer.from('x')]),
    ],
  ])('refuses an upload with %s, alike on both transports', async (_label, pack) => {
    const electron = await uploadViaElectron('staging:add-files', pack)
    const web = await uploadViaWeb('staging:add-files', pack)
    expect(web).toEqual(electron)
    expect(electron).toMatchObject({ ok: false, error: { code: 'ipc/invalid-payload' } })
  })

  it('replaces a mask with a 20 MB file on both transports, through the same upload path as adding', async () => {
    const png = Buffer.from(PNG_1x1, 'base64')
    await uploadViaElectron(
      'staging:add-files',
      packUpload(
        {
          files: [
            { path: 'big/images/big.png', size: png.length },
            { path: 'big/masks/big.png', size: png.length },
          ],
        },
        [png, png],
      ),
    )
    // 20 MB: over the web host's 8 MB JSON limit, which the old base64 call hit while Electron took it.
    const big = Buffer.alloc(20 * 1024 * 1024, 7)
    for (const via of [uploadViaElectron, uploadViaWeb]) {
      const pack = packUpload({ id: 'big', role: 'mask', files: [{ path: 'new-mask.png', size: big.length }] }, [big])
      expect(await via('staging:replace-file', pack)).toEqual({ ok: true, value: { relpath: 'masks/big.png' } })
      expect(services.staging.store.files['masks/big.png']?.bytes).toBe(big.length)
    }
  })

  it('refuses a file over the per-file limit on both transports, alike, before reading its bytes', async () => {
    const size = MAX_UPLOAD_FILE_BYTES + 1
    // The request announces the size; neither host needs the bytes to refuse it.
    const announce = (channel: string) =>
      channel === 'staging:add-files'
        ? { files: [{ path: 'set/images/huge.png', size }] }
        : { id: 'u', role: 'mask', files: [{ path: 'huge.png', size }] }
    for (const channel of ['staging:add-files', 'staging:replace-file']) {
      const pack = packUpload(announce(channel), [])
      const electron = await uploadViaElectron(channel, pack)
      const web = await uploadViaWeb(channel, pack)
      expect(web).toEqual(electron)
      expect(electron).toMatchObject({
        ok: false,
        error: { code: 'ipc/too-large', message: expect.stringContaining('up to 64 MB each') as unknown },
      })
    }
  })

  it.each([
    ['a NUL byte in a path', 'staging:add-files', { files: [{ path: 'set/images/a\u0000.png', size: 1 }] }],
    ['a control character in a path', 'staging:add-files', { files: [{ path: 'set/images/a\n.png', size: 1 }] }],
    ['a pair id with ..', 'staging:replace-file', { id: '..', role: 'mask', files: [{ path: 'm.png', size: 1 }] }],
  ])('refuses an upload with %s at the door, alike on both transports', async (_label, channel, request) => {
    const pack = packUpload(request, [Buffer.from('x')])
    const electron = await uploadViaElectron(channel, pack)
    const web = await uploadViaWeb(channel, pack)
    expect(web).toEqual(electron)
    expect(electron).toMatchObject({ ok: false, error: { code: 'ipc/invalid-payload' } })
  })

  it.each([
    ['staging:set-replacement', { id: '../../outside', replacement: true }],
    ['staging:set-replacement', { id: '..', replacement: true }],
    ['staging:remove-pairs', { ids: ['a/../../b'] }],
    ['staging:apply-fixes', { ids: ['nul\u0000id'] }],
    ['models:try', { version: '1', pairId: '../../outside' }],
    ['models:rollback', { version: '../1' }],
  ])('refuses %s with a path for an id, alike on both transports', async (channel, request) => {
    const electron = await viaElectron(channel, request)
    const web = await viaWeb(channel, request)
    expect(web).toEqual(electron)
    expect(electron).toMatchObject({ ok: false, error: { code: 'ipc/invalid-payload' } })
    expect(JSON.stringify(services.staging.store.files)).not.toContain('outside')
  })

  /** Waits until no staged pair is waiting for or going through QA. */
  async function stagingSettled(): Promise<void> {
    for (let attempt = 0; attempt < 600; attempt += 1) {
      const state = await viaElectron('staging:get-state', {})
      const pairs = state.ok ? (state.value as { pairs: { status: string }[] }).pairs : []
      if (!pairs.some((pair) => pair.status === 'pending' || pair.status === 'checking')) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  it.each(INVOKE_CHANNELS)(
    '%s answers alike over Electron IPC and the web host, with a valid response',
    async (channel) => {
      const { request, mutates } = REQUESTS[channel]
      // Uploads in earlier tests leave QA running in the background; two reads of the staged set compare alike only
      // once it has settled.
      if (channel === 'staging:get-state') await stagingSettled()
      const electron = await viaElectron(channel, request)
      const web = (await viaWeb(channel, request)) as typeof electron
      if (mutates === true) {
        expect(web.ok).toBe(electron.ok)
        if (!web.ok && !electron.ok) expect(web.error.code).toBe(electron.error.code)
      } else {
        expect(web).toEqual(electron)
      }
      for (const result of [electron, web]) {
        if (result.ok) expect(invokeChannels[channel].response.safeParse(result.value).success).toBe(true)
        else expect(result.error.code).not.toMatch(/^ipc\//)
      }
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
      {
        onUnexpectedError: (_channel, thrown) => {
          unexpected.push(thrown)
          return '/somewhere/logs/wms-studio.log'
        },
      },
    )
    expect(await throwing('app:get-info', {})).toMatchObject({
      ok: false,
      error: { code: 'internal', hint: expect.stringContaining('/somewhere/logs/wms-studio.log') as unknown },
    })
    expect(unexpected).toHaveLength(1)
  })
})
