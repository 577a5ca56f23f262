import os from 'node:os'
import path from 'node:path'
import { ensureDemoWorkspace, type EventSink } from 'training-runner'

/** The app's product name; also the name of its user data folder, as Electron derives it. */
export const PRODUCT_NAME = 'WMS Studio'

/** Environment variable that points the app at a workspace (same as `--workspace`). */
export const WORKSPACE_ENV = 'WMS_WORKSPACE'

/** Environment variable that overrides the user data folder (tests, portable installs). */
export const USER_DATA_ENV = 'WMS_USER_DATA'

/**
 * The per-user data folder, matching Electron's `app.getPath('userData')` so both hosts share one demo.
 */
export function defaultUserDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const override = env[USER_DATA_ENV]
  if (override !== undefined && override !== '') return path.resolve(override)
  const home = os.homedir()
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', PRODUCT_NAME)
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), PRODUCT_NAME)
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), PRODUCT_NAME)
}

/** Inputs of {@link resolveWorkspace}. */
export interface ResolveWorkspaceInput {
  /** `--workspace <dir>` from the command line, if given. */
  flag: string | undefined
  env: NodeJS.ProcessEnv
  userDataDir: string
  cwd: string
  events?: EventSink
}

/** Which workspace to open and whether it is the embedded demo. */
export interface ResolvedWorkspace {
  root: string
  isDemo: boolean
}

/**
 * `--workspace` wins, then `WMS_WORKSPACE`; otherwise the embedded demo under the user data folder, created on
 * first start.
 */
export async function resolveWorkspace(input: ResolveWorkspaceInput): Promise<ResolvedWorkspace> {
  const chosen = input.flag ?? input.env[WORKSPACE_ENV]
  if (chosen !== undefined && chosen !== '') return { root: path.resolve(input.cwd, chosen), isDemo: false }
  const options = input.events === undefined ? {} : { events: input.events }
  const layout = await ensureDemoWorkspace(path.join(input.userDataDir, 'demo'), options)
  return { root: layout.workspace, isDemo: true }
}
