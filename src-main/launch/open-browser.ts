import { spawn } from 'node:child_process'

/** What decides whether and how a browser is opened: the environment and the terminal. */
export interface BrowserEnvironment {
  env: NodeJS.ProcessEnv
  isTTY: boolean
  platform: NodeJS.Platform
}

/**
 * Whether `npm start` should open a browser on the web host: only for a person at a terminal, never in CI, never
 * when asked not to (`--no-open`, or `BROWSER=none` as create-react-app and Vite honour it, on a TTY too).
 */
export function shouldOpenBrowser(args: readonly string[], environment: BrowserEnvironment): boolean {
  return (
    environment.isTTY &&
    environment.env.CI === undefined &&
    !args.includes('--no-open') &&
    browserCommand(environment) !== undefined
  )
}

/**
 * The command that opens a URL: `BROWSER` when set (a program name or path), nothing for `BROWSER=none`, else the
 * platform's opener.
 */
export function browserCommand(environment: Omit<BrowserEnvironment, 'isTTY'>): string | undefined {
  const browser = environment.env.BROWSER?.trim()
  if (browser !== undefined && browser !== '') return browser.toLowerCase() === 'none' ? undefined : browser
  if (environment.platform === 'darwin') return 'open'
  if (environment.platform === 'win32') return 'explorer'
  return 'xdg-open'
}

/**
 * Opens `url` in the user's browser. The URL ends up in the opener's (and the browser's) command line, which every
 * local user can read with `ps`: pass a one-time launch URL, never one that carries the token.
 */
export function openBrowser(url: string, environment: Omit<BrowserEnvironment, 'isTTY'>): boolean {
  const command = browserCommand(environment)
  if (command === undefined) return false
  const child = spawn(command, [url], { stdio: 'ignore', detached: true, env: environment.env })
  child.on('error', () => undefined)
  child.unref()
  return true
}
