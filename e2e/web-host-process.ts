import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'

/** Root of the checkout (e2e/ is one level down). */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..')

/** A web host process started for a test. */
export interface WebHostProcess {
  /** The full URL the host printed, token included. */
  url: string
  origin: string
  /** Milliseconds the host reported from start to ready. */
  readyMs: number
  output: () => string
  child: ChildProcess
  stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

/** Waits until `child` prints the `Open http://…` line, and parses it. */
export function waitForUrl(
  child: ChildProcess,
  timeoutMs = 60_000,
): Promise<{ url: string; readyMs: number; output: () => string }> {
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web host did not print its URL in time:\n${output}`)), timeoutMs)
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8')
      const url = /Open (http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(output)?.[1]
      const ready = /Ready in (\d+) ms/.exec(output)?.[1]
      if (url !== undefined && ready !== undefined) {
        clearTimeout(timer)
        resolve({ url, readyMs: Number(ready), output: () => output })
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`web host exited with ${String(code)} before it was ready:\n${output}`))
    })
  })
}

/** Starts the built web host (`out/main/web-host.js`) with its own user data folder. */
export async function startWebHostProcess(options: {
  userData: string
  workspace?: string
  /** Extra Node flags (profiling from a bench). */
  nodeArgs?: string[]
}): Promise<WebHostProcess> {
  const entry = path.join(PROJECT_ROOT, 'out/main/web-host.js')
  if (!existsSync(entry)) throw new Error('The app is not built: run `npm run build` before the e2e tests.')
  const args = [
    ...(options.nodeArgs ?? []),
    entry,
    ...(options.workspace === undefined ? [] : ['--workspace', options.workspace]),
  ]
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, WMS_USER_DATA: options.userData, WMS_WORKSPACE: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const { url, readyMs, output } = await waitForUrl(child)
  return {
    url,
    origin: new URL(url).origin,
    readyMs,
    output,
    child,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve(child.exitCode)
          return
        }
        child.once('exit', (code) => resolve(code))
        child.kill(signal)
      }),
  }
}
