import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { bootApp } from '../boot.js'
import { openBrowser } from '../launch/open-browser.js'
import { defaultUserDataDir } from '../workspace/resolve-workspace.js'
import { startWebHost } from './server.js'
import { prepareSpoolDir } from './upload-stream.js'

/**
 * Entry of the web host: the same services as the Electron app, served to a browser on 127.0.0.1.
 * Used where Electron cannot run (no binary, headless servers, CI) and by the Playwright e2e tests.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      workspace: { type: 'string' },
      port: { type: 'string', default: '0' },
      open: { type: 'boolean', default: false },
      'no-open': { type: 'boolean', default: false },
    },
    allowPositionals: false,
  })
  const started = performance.now()
  const log = (message: string): void => {
    process.stderr.write(`${message}\n`)
  }
  const here = path.dirname(fileURLToPath(import.meta.url))
  const app = await bootApp({
    host: 'web',
    qaWorkerPath: path.join(here, 'qa-worker.js'),
    workspaceFlag: values.workspace,
    userDataDir: defaultUserDataDir(),
    versions: { node: process.versions.node, electron: null, chrome: null },
    log,
  })
  // Uploads are spooled next to the staging area (on disk, where /tmp may be memory), for the user only.
  const spoolDir = path.join(app.workspace.root, '.wms', 'uploads')
  await prepareSpoolDir(spoolDir)
  const host = await startWebHost({
    spoolDir,
    media: app.services.media,
    dispatch: app.dispatch,
    dispatchUpload: app.dispatchUpload,
    events: app.events,
    staticDir: path.resolve(here, '../renderer'),
    port: Number(values.port),
    onInternalError: (where, thrown) => app.errorLog.write(where, thrown),
  })
  app.errorLog.addSecret(host.token)
  const ms = Math.round(performance.now() - started)
  process.stdout.write(
    [
      `WMS Studio (web host) is serving ${app.workspace.isDemo ? 'the demo workspace' : 'workspace'} ${app.workspace.root}`,
      `Open ${host.url}`,
      `Ready in ${String(ms)} ms. Press Ctrl-C to stop.`,
      '',
    ].join('\n'),
  )
  // The browser gets a one-time code, not the token: its command line is visible to every local user.
  if (values.open && !values['no-open']) openBrowser(host.launchUrl(), { env: process.env, platform: process.platform })

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  process.stdout.write('Stopping WMS Studio…\n')
  await host.close()
  await app.services.dispose()
  return 0
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (thrown: unknown) => {
    const error = thrown as { message?: string; hint?: string }
    process.stderr.write(`WMS Studio could not start: ${error.message ?? String(thrown)}\n`)
    if (error.hint !== undefined) process.stderr.write(`  → ${error.hint}\n`)
    process.exitCode = 1
  },
)
