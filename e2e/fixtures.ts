import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { test as base } from '@playwright/test'
import { startWebHostProcess, type WebHostProcess } from './web-host-process.js'

/** Playwright test with a fresh web host (and a fresh user data folder, so a fresh demo) per test. */
export const test = base.extend<{ userData: string; webHost: WebHostProcess }>({
  userData: async ({}, use) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wms-e2e-'))
    await use(dir)
    await rm(dir, { recursive: true, force: true })
  },
  webHost: async ({ userData }, use) => {
    const host = await startWebHostProcess({ userData })
    await use(host)
    await host.stop()
  },
})

export { expect } from '@playwright/test'
