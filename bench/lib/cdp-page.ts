import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { WebSocket } from 'ws'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../e2e/chromium.js'

/**
 * A Chromium page driven over the raw DevTools protocol with only the Runtime and DOM domains. Playwright enables
 * the Network domain, and with it Chromium serialises every request body for DevTools on the page's main thread —
 * fine for tests, but it would make a bench of uploads measure the harness.
 */
export interface CdpPage {
  evaluate<T>(expression: string): Promise<T>
  /** Any other DevTools command (profiling). */
  send<T>(method: string, params?: Record<string, unknown>): Promise<T>
  /** Calls `listener` with the params of every DevTools event named `method` (tracing). */
  on(method: string, listener: (params: unknown) => void): void
  /** Sets the files of the `<input>` matched by `selector` (a folder for `webkitdirectory` inputs). */
  setInputFiles(selector: string, files: string[]): Promise<void>
  close(): Promise<void>
}

/** Opens `url` in a fresh headless Chromium. */
export async function openCdpPage(url: string, viewport = { width: 1400, height: 900 }): Promise<CdpPage> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'wms-bench-chromium-'))
  const chrome: ChildProcess = spawn(
    CHROMIUM_PATH,
    [
      ...CHROMIUM_ARGS,
      '--headless=new',
      `--user-data-dir=${profile}`,
      '--remote-debugging-port=0',
      `--window-size=${String(viewport.width)},${String(viewport.height)}`,
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  const browserUrl = await new Promise<string>((resolve, reject) => {
    let output = ''
    chrome.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
      const match = /DevTools listening on (ws:\S+)/.exec(output)
      if (match?.[1] !== undefined) resolve(match[1])
    })
    chrome.on('exit', () => reject(new Error(`Chromium exited:\n${output}`)))
  })
  const port = new URL(browserUrl).port
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
    type: string
    webSocketDebuggerUrl: string
  }[]
  const target = targets.find((candidate) => candidate.type === 'page')
  if (target === undefined) throw new Error('Chromium opened no page')
  const socket = new WebSocket(target.webSocketDebuggerUrl)
  await new Promise((resolve) => socket.once('open', resolve))
  let nextId = 0
  const pending = new Map<number, (message: { result?: unknown; error?: { message: string } }) => void>()
  const listeners = new Map<string, ((params: unknown) => void)[]>()
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString('utf8')) as {
      id?: number
      method?: string
      params?: unknown
      result?: unknown
      error?: { message: string }
    }
    if (message.id !== undefined) pending.get(message.id)?.(message)
    else if (message.method !== undefined)
      for (const listener of listeners.get(message.method) ?? []) listener(message.params)
  })
  const send = <T>(method: string, params: Record<string, unknown> = {}): Promise<T> =>
    new Promise((resolve, reject) => {
      nextId += 1
      pending.set(nextId, (message) => {
        if (message.error !== undefined) reject(new Error(`${method}: ${message.error.message}`))
        else resolve(message.result as T)
      })
      socket.send(JSON.stringify({ id: nextId, method, params }))
    })
  const evaluate = async <T>(expression: string): Promise<T> => {
    const result = await send<{ result: { value: T }; exceptionDetails?: { text: string } }>('Runtime.evaluate', {
      expression,
      awaitPromise: true,
      returnByValue: true,
    })
    if (result.exceptionDetails !== undefined) throw new Error(`evaluate: ${result.exceptionDetails.text}`)
    return result.result.value
  }
  await send('Page.navigate', { url })
  return {
    evaluate,
    send,
    on: (method, listener) => {
      listeners.set(method, [...(listeners.get(method) ?? []), listener])
    },
    setInputFiles: async (selector, files) => {
      const { root } = await send<{ root: { nodeId: number } }>('DOM.getDocument', { depth: -1 })
      const { nodeId } = await send<{ nodeId: number }>('DOM.querySelector', { nodeId: root.nodeId, selector })
      await send('DOM.setFileInputFiles', { nodeId, files })
    },
    close: async () => {
      socket.close()
      const exited = new Promise((resolve) => chrome.once('exit', resolve))
      chrome.kill()
      await exited
      await rm(profile, { recursive: true, force: true, maxRetries: 5 })
    },
  }
}
