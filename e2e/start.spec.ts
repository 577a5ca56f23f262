import { execFileSync, spawn } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
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

/** Every process of the session led by `leader` (what a terminal window holds). */
function sessionMembers(leader: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '-s', String(leader)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((pid) => pid > 0)
  } catch {
    return []
  }
}

/**
 * `npm start` on a real terminal (a pseudo-terminal from script(1)), with a stand-in browser that writes down its
 * command line: what `ps` shows every local user.
 */
async function startOnTerminal(env: NodeJS.ProcessEnv, userData: string) {
  const child = spawn('script', ['-qfec', 'npm start --silent', '/dev/null'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, WMS_USER_DATA: userData, WMS_HOST: 'web', CI: undefined, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  })
  const stop = async (): Promise<void> => {
    // script(1) puts npm in a session of its own: stop each of its processes by id, then script itself.
    const leaders = execFileSync('ps', ['-o', 'pid=', '--ppid', String(child.pid ?? 0)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((pid) => pid > 0)
    for (const leader of leaders) {
      for (const pid of sessionMembers(leader)) {
        try {
          process.kill(pid, 'SIGTERM')
        } catch {
          // Gone already.
        }
      }
      await expect.poll(() => sessionMembers(leader), { timeout: 10_000 }).toEqual([])
    }
    try {
      process.kill(-(child.pid ?? 0), 'SIGKILL')
    } catch {
      // Gone already.
    }
  }
  return { child, stop, ...(await waitForUrl(child, 120_000)) }
}

test('npm start on a terminal opens the browser with a one-time code, never the token', async () => {
  test.skip(process.platform !== 'linux', 'script(1) options are util-linux ones')
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wms-browser-'))
  const record = path.join(dir, 'argv.txt')
  const browser = path.join(dir, 'browser.sh')
  await writeFile(browser, `#!/bin/sh\nprintf '%s\\n' "$@" > "${record}.tmp" && mv "${record}.tmp" "${record}"\n`)
  await chmod(browser, 0o700)
  const started = await startOnTerminal({ BROWSER: browser }, path.join(dir, 'user-data'))
  try {
    const token = /#token=([0-9a-f]+)/.exec(started.url)?.[1] ?? ''
    await expect.poll(() => readFile(record, 'utf8').catch(() => ''), { timeout: 20_000 }).toContain('#code=')
    const argv = await readFile(record, 'utf8')
    expect(argv).not.toContain(token)
    const code = /#code=([0-9a-f]+)/.exec(argv)?.[1] ?? ''
    const origin = new URL(started.url).origin
    const exchange = () =>
      fetch(`${origin}/api/launch-code`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ code }),
      })
    expect(await (await exchange()).json()).toEqual({ ok: true, value: { token } })
    expect((await exchange()).status).toBe(401)
  } finally {
    await started.stop()
    await rm(dir, { recursive: true, force: true })
  }
})

test('npm start with BROWSER=none opens no browser, even on a terminal', async () => {
  test.skip(process.platform !== 'linux', 'script(1) options are util-linux ones')
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wms-browser-'))
  // A stand-in for the platform opener, first on PATH: it must not run.
  const record = path.join(dir, 'argv.txt')
  await mkdir(path.join(dir, 'bin'))
  await writeFile(path.join(dir, 'bin', 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" > "${record}"\n`)
  await chmod(path.join(dir, 'bin', 'xdg-open'), 0o700)
  const started = await startOnTerminal(
    { BROWSER: 'none', PATH: `${path.join(dir, 'bin')}:${process.env.PATH ?? ''}` },
    path.join(dir, 'user-data'),
  )
  try {
    expect(started.output()).toContain('Open http://127.0.0.1:')
    await new Promise((resolve) => setTimeout(resolve, 2000))
    expect(await readFile(record, 'utf8').catch(() => 'not opened')).toBe('not opened')
  } finally {
    await started.stop()
    await rm(dir, { recursive: true, force: true })
  }
})
