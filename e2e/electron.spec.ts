import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { _electron as electron, expect, test } from '@playwright/test'
import { findElectronBinary } from '../src-main/launch/electron-binary.js'
import { PROJECT_ROOT } from './web-host-process.js'

const binary = findElectronBinary(PROJECT_ROOT)

test('the Electron window opens on the demo workspace', async () => {
  test.skip(
    !binary.found,
    `Electron binary not available (${binary.found ? '' : binary.reason}); run \`npx install-electron\` on a machine with internet access to run this spec.`,
  )
  if (!binary.found) return
  const userData = await mkdtemp(path.join(os.tmpdir(), 'wms-electron-'))
  try {
    const app = await electron.launch({
      executablePath: binary.path,
      args: [PROJECT_ROOT],
      env: { ...process.env, WMS_USER_DATA: userData },
    })
    const window = await app.firstWindow()
    await expect(window).toHaveTitle('WMS Studio')
    await expect(window.getByTestId('workspace-name')).toHaveText('Demo water meters')
    const isolated = await window.evaluate(() => typeof (globalThis as { require?: unknown }).require === 'undefined')
    expect(isolated).toBe(true)
    await app.close()
  } finally {
    await rm(userData, { recursive: true, force: true })
  }
})
