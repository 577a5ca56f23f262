import { execFileSync, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { PROJECT_ROOT, waitForUrl } from './web-host-process.js'

function processGroupMembers(pgid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '-g', String(pgid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((pid) => pid > 0)
  } catch {
    return [] // ps exits 1 when the group is empty
  }
}

test('npm start explains the missing Electron binary, serves the web host, and stops cleanly on Ctrl-C', async () => {
  test.skip(process.platform === 'win32', 'process groups are POSIX')
  const userData = await mkdtemp(path.join(os.tmpdir(), 'wms-start-'))
  // A new process group, like a terminal's foreground job: Ctrl-C signals every process in it.
  const child = spawn('npm', ['start', '--silent', '--', '--no-open'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, WMS_USER_DATA: userData, WMS_HOST: '', CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  const pgid = child.pid ?? 0
  try {
    const { url, output } = await waitForUrl(child, 120_000)
    if (!output().includes('Electron cannot start here')) {
      test.info().annotations.push({ type: 'electron', description: 'binary present: npm start launched Electron' })
    }
    expect(output()).toContain('npx install-electron')
    const origin = new URL(url).origin
    expect((await fetch(origin)).status).toBe(200)

    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    )
    process.kill(-pgid, 'SIGINT')
    // npm itself ends "by signal" on Ctrl-C, as in a terminal; what matters is that everything stops.
    const { code, signal } = await exited
    expect(code === 0 || signal === 'SIGINT').toBe(true)
    await expect.poll(() => processGroupMembers(pgid), { timeout: 10_000 }).toEqual([])
    expect(output()).toContain('Stopping WMS Studio')
    await expect(fetch(origin)).rejects.toThrow()
  } finally {
    try {
      process.kill(-pgid, 'SIGKILL')
    } catch {
      // Already gone, as it should be.
    }
    await rm(userData, { recursive: true, force: true })
  }
})
