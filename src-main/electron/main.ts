import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { app, BrowserWindow, ipcMain, protocol, session, shell } from 'electron'
import {
  ELECTRON_EVENT_CHANNEL,
  ELECTRON_INVOKE_CHANNEL,
  ELECTRON_MEDIA_SCHEME,
  ELECTRON_UPLOAD_CHANNEL,
} from '@wms/shared/ipc/contract'
import { bootApp, type BootedApp } from '../boot.js'
import { createDesktopCipher } from './safe-storage-cipher.js'
import { USER_DATA_ENV } from '../workspace/resolve-workspace.js'
import { createElectronInvokeHandler, createElectronUploadHandler } from './invoke-handler.js'
import { ELECTRON_CSP, isSafeExternalUrl, secureWebPreferences } from './window-security.js'

/**
 * Entry of the Electron host. Main owns the services; the renderer reaches them only through the preload's
 * allow-listed `invoke`/`on`, and every call is checked for its sender before the shared dispatcher validates it.
 */
const here = path.dirname(fileURLToPath(import.meta.url))
const rendererIndex = path.resolve(here, '../renderer/index.html')
const rendererUrl = pathToFileURL(rendererIndex).href

function workspaceFlag(argv: string[]): string | undefined {
  const index = argv.indexOf('--workspace')
  if (index >= 0) return argv[index + 1]
  const inline = argv.find((arg) => arg.startsWith('--workspace='))
  return inline?.slice('--workspace='.length)
}

async function createWindow(booted: BootedApp): Promise<BrowserWindow> {
  const window = new BrowserWindow({
    width: 1280,
    height: 840,
    minWidth: 900,
    minHeight: 600,
    title: 'WMS Studio',
    show: false,
    webPreferences: secureWebPreferences(path.resolve(here, '../preload/preload.cjs')),
  })
  window.once('ready-to-show', () => window.show())
  window.webContents.on('will-navigate', (event) => event.preventDefault())
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  const unsubscribe = booted.events.subscribe((channel, payload) => {
    if (!window.isDestroyed()) window.webContents.send(ELECTRON_EVENT_CHANNEL, channel, payload)
  })
  window.on('closed', unsubscribe)
  await window.loadFile(rendererIndex)
  return window
}

// Pictures of staged pairs come from main over a privileged scheme (registered before the app is ready).
protocol.registerSchemesAsPrivileged([
  { scheme: ELECTRON_MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
])

async function start(): Promise<void> {
  // Tests and portable installs point the app at another user data folder (the web host reads the same variable).
  const userDataOverride = process.env[USER_DATA_ENV]
  if (userDataOverride !== undefined && userDataOverride !== '') app.setPath('userData', path.resolve(userDataOverride))
  await app.whenReady()
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [ELECTRON_CSP] } })
  })
  const booted = await bootApp({
    host: 'electron',
    qaWorkerPath: path.join(here, 'qa-worker.js'),
    workspaceFlag: workspaceFlag(process.argv),
    userDataDir: app.getPath('userData'),
    versions: {
      node: process.versions.node,
      electron: process.versions.electron,
      chrome: process.versions.chrome,
    },
    log: (message) => console.log(message),
    secretCipher: await createDesktopCipher(app.getPath('userData')),
  })
  ipcMain.handle(ELECTRON_INVOKE_CHANNEL, createElectronInvokeHandler(booted.dispatch, rendererUrl))
  ipcMain.handle(ELECTRON_UPLOAD_CHANNEL, createElectronUploadHandler(booted.dispatchUpload, rendererUrl))
  protocol.handle(ELECTRON_MEDIA_SCHEME, async (request) => {
    const media = await booted.services.media(new URL(request.url).pathname.slice(1))
    return new Response(new Uint8Array(media.body), {
      status: media.status,
      headers: { 'Content-Type': media.contentType },
    })
  })
  await createWindow(booted)
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow(booted)
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('will-quit', () => {
    void booted.services.dispose()
  })
}

start().catch((thrown: unknown) => {
  console.error('WMS Studio could not start:', thrown)
  app.exit(1)
})
