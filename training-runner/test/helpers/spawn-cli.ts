import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'

const ENTRY = path.resolve(import.meta.dirname, 'cli-entry.ts')
// tsx by its resolved URL: the child runs in a temporary folder, where the bare name would not resolve.
const TSX = import.meta.resolve('tsx')

/** How a spawned CLI process ended, and what it printed. */
export interface SpawnedExit {
  code: number | null
  signal: NodeJS.Signals | null
  out: string
  err: string
}

/** A `training-runner` process running from source (tsx), with its output collected. */
export interface SpawnedCli {
  child: ChildProcess
  out: () => string
  err: () => string
  /** Resolves once the CLI has installed its signal and pipe handlers. */
  ready: Promise<void>
  /** Resolves once `predicate` holds for the output so far (checked on every chunk). */
  waitFor: (predicate: (out: string, err: string) => boolean) => Promise<void>
  exited: Promise<SpawnedExit>
}

/** Spawns `training-runner <argv…>` in `cwd`; `closeStdout` closes the reading end at once (like `| head -0`). */
export function spawnCli(
  argv: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; closeStdout?: boolean },
): SpawnedCli {
  const child = spawn(process.execPath, ['--conditions=source', '--import', TSX, ENTRY, ...argv], {
    cwd: options.cwd,
    env: { ...process.env, WMS_TEST_READY_FD: '3', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  })
  const readyPipe = child.stdio[3]
  const ready = new Promise<void>((resolve) => {
    readyPipe?.once('data', () => {
      resolve()
    })
  })
  let out = ''
  let err = ''
  const waiters: (() => void)[] = []
  const check = (): void => {
    for (const waiter of [...waiters]) waiter()
  }
  const { stdout, stderr } = child
  if (stdout === null || stderr === null) throw new Error('the CLI was spawned without output pipes')
  if (options.closeStdout === true) stdout.destroy()
  else {
    stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8')
      check()
    })
  }
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8')
    check()
  })
  const exited = new Promise<SpawnedExit>((resolve) => {
    child.on('close', (code, signal) => {
      resolve({ code, signal, out, err })
    })
  })
  const waitFor = (predicate: (out: string, err: string) => boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      const waiter = (): void => {
        if (!predicate(out, err)) return
        waiters.splice(waiters.indexOf(waiter), 1)
        resolve()
      }
      waiters.push(waiter)
      void exited.then(() => {
        if (waiters.includes(waiter)) reject(new Error(`exited before the expected output:\n${out}\n${err}`))
      })
      waiter()
    })
  return { child, out: () => out, err: () => err, ready, waitFor, exited }
}
