import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { WmsError } from '@wms/shared/errors'
import { openRepo, runGit } from '../adapters/git/run-git.js'

/**
 * `hooks install` / `hooks uninstall`: put the pre-push shim (`hooks/pre-push` of this checkout) where git runs
 * it, next to whatever was there:
 *
 * - the hooks folder git uses (`.git/hooks`, or `core.hooksPath`): an existing pre-push hook is kept as
 *   `pre-push.wms-previous` and the shim runs it first; uninstall puts it back;
 * - husky (`core.hooksPath` = `.husky/_` or `.husky`): the shim goes to `<git common dir>/wms-hooks/pre-push` and
 *   `.husky/pre-push` gets a marked line that calls it; uninstall removes the line.
 *
 * Both are idempotent. Where node and the runner are is recorded in the repository's config (`wms.node`,
 * `wms.runner`), since GUI git clients run hooks with a minimal PATH.
 */

/** The first line of the shim that marks it as ours. */
export const HOOK_MARKER = 'wms-studio-pre-push-hook'
const PREVIOUS_SUFFIX = '.wms-previous'
const HUSKY_BEGIN = '# >>> wms-studio-pre-push-hook (training-runner hooks install) >>>'
const HUSKY_END = '# <<< wms-studio-pre-push-hook <<<'

/** Options of {@link installHooks}. */
export interface InstallHooksOptions {
  /** The node binary the hook runs the runner with (default: this process's). */
  node?: string
  /** The runner's CLI script (default: this checkout's `training-runner/bin/training-runner.js`). */
  runner?: string
}

/** What {@link installHooks} did. */
export interface InstallHooksResult {
  /** The file git runs (the shim, or husky's script that calls it). */
  hookFile: string
  /** Where the shim is. */
  shim: string
  manager: 'git' | 'husky'
  state: 'installed' | 'updated' | 'unchanged'
  /** The user's earlier hook, kept and called first. */
  chained?: string
}

/** What {@link uninstallHooks} did. */
export interface UninstallHooksResult {
  removed: boolean
  /** The user's earlier hook, put back in place. */
  restored?: string
  /** Why nothing was removed. */
  note?: string
}

/** The shim as shipped in this checkout's `hooks/pre-push`. */
export function shimSourcePath(): string {
  return fileURLToPath(new URL('../../../hooks/pre-push', import.meta.url))
}

/** This checkout's CLI script. */
export function defaultRunnerPath(): string {
  return fileURLToPath(new URL('../../bin/training-runner.js', import.meta.url))
}

interface HookLocation {
  manager: 'git' | 'husky'
  /** The file git runs. */
  hookFile: string
  /** Where the shim goes. */
  shim: string
}

async function locate(repoDir: string): Promise<HookLocation> {
  const git = openRepo(repoDir)
  const hooksDir = (
    await runGit('rev-parse', () => git.raw(['rev-parse', '--path-format=absolute', '--git-path', 'hooks']))
  ).trim()
  const normalized = hooksDir.replace(/\\/g, '/').replace(/\/+$/, '')
  if (/(^|\/)\.husky(\/_)?$/.test(normalized)) {
    const huskyDir = normalized.endsWith('/_') ? path.dirname(hooksDir) : hooksDir
    const commonDir = (
      await runGit('rev-parse', () => git.raw(['rev-parse', '--path-format=absolute', '--git-common-dir']))
    ).trim()
    return {
      manager: 'husky',
      hookFile: path.join(huskyDir, 'pre-push'),
      shim: path.join(commonDir, 'wms-hooks', 'pre-push'),
    }
  }
  const hookFile = path.join(hooksDir, 'pre-push')
  return { manager: 'git', hookFile, shim: hookFile }
}

const readText = (file: string): Promise<string | undefined> => readFile(file, 'utf8').catch(() => undefined)
const isOurs = (text: string | undefined): boolean =>
  text?.split('\n', 3).some((line) => line.includes(HOOK_MARKER)) ?? false

/** Installs the pre-push hook in the repository at `repoDir` (idempotent; keeps an existing hook). */
export async function installHooks(repoDir: string, options: InstallHooksOptions = {}): Promise<InstallHooksResult> {
  const location = await locate(repoDir)
  const shimText = await readFile(shimSourcePath(), 'utf8')
  const result: InstallHooksResult = { ...location, state: 'installed' }
  const existing = await readText(location.shim)
  if (location.manager === 'git' && existing !== undefined && !isOurs(existing)) {
    const previous = `${location.shim}${PREVIOUS_SUFFIX}`
    if ((await readText(previous)) !== undefined) {
      throw new WmsError(
        'usage/invalid-arguments',
        `${previous} exists already, and so does another ${location.shim}.`,
        {
          hint: `Merge the two hooks by hand (or delete ${previous}), then install again.`,
        },
      )
    }
    await rename(location.shim, previous)
    result.chained = previous
  } else if (isOurs(existing)) {
    result.state = existing === shimText ? 'unchanged' : 'updated'
  }
  if (location.manager === 'git' && result.chained === undefined) {
    const previous = `${location.shim}${PREVIOUS_SUFFIX}`
    if ((await readText(previous)) !== undefined) result.chained = previous
  }
  await mkdir(path.dirname(location.shim), { recursive: true })
  if (existing !== shimText) await writeFile(location.shim, shimText)
  await chmod(location.shim, 0o755)
  if (location.manager === 'husky') {
    const changed = await addHuskyCall(location.hookFile)
    if (changed && result.state === 'unchanged') result.state = 'updated'
  }
  await recordPaths(repoDir, options)
  return result
}

/** Removes the hook from the repository at `repoDir` and puts back what it replaced (idempotent). */
export async function uninstallHooks(repoDir: string): Promise<UninstallHooksResult> {
  const location = await locate(repoDir)
  const git = openRepo(repoDir)
  for (const key of ['wms.node', 'wms.runner']) {
    await git.raw(['config', '--local', '--unset-all', key]).catch(() => undefined)
  }
  if (location.manager === 'husky') {
    const removedCall = await removeHuskyCall(location.hookFile)
    const hadShim = (await readText(location.shim)) !== undefined
    await rm(path.dirname(location.shim), { recursive: true, force: true })
    return removedCall || hadShim ? { removed: true } : { removed: false, note: 'the hook was not installed' }
  }
  const current = await readText(location.shim)
  const previous = `${location.shim}${PREVIOUS_SUFFIX}`
  if (current !== undefined && !isOurs(current)) {
    return { removed: false, note: `${location.shim} is not the WMS Studio hook; it was left alone` }
  }
  if (current !== undefined) await rm(location.shim)
  if ((await readText(previous)) !== undefined) {
    await rename(previous, location.shim)
    return { removed: current !== undefined, restored: location.shim }
  }
  return current === undefined ? { removed: false, note: 'the hook was not installed' } : { removed: true }
}

async function recordPaths(repoDir: string, options: InstallHooksOptions): Promise<void> {
  const node = options.node ?? process.execPath
  const runner = path.resolve(options.runner ?? defaultRunnerPath())
  await stat(runner).catch(() => {
    throw new WmsError('fs/not-found', `The runner's CLI script ${runner} does not exist.`, {
      hint: 'Build the runner (npm run build:runner) or pass the path of training-runner/bin/training-runner.js.',
    })
  })
  const git = openRepo(repoDir)
  await runGit('config', () => git.raw(['config', '--local', 'wms.node', node]))
  await runGit('config', () => git.raw(['config', '--local', 'wms.runner', runner]))
}

const HUSKY_BLOCK = `${HUSKY_BEGIN}\n"$(git rev-parse --git-common-dir)/wms-hooks/pre-push" "$@" || exit $?\n${HUSKY_END}\n`

async function addHuskyCall(hookFile: string): Promise<boolean> {
  const text = (await readText(hookFile)) ?? ''
  if (text.includes(HUSKY_BEGIN)) return false
  const separator = text === '' || text.endsWith('\n') ? '' : '\n'
  await writeFile(hookFile, `${text}${separator}${HUSKY_BLOCK}`)
  await chmod(hookFile, 0o755)
  return true
}

async function removeHuskyCall(hookFile: string): Promise<boolean> {
  const text = await readText(hookFile)
  if (text === undefined || !text.includes(HUSKY_BEGIN)) return false
  const start = text.indexOf(HUSKY_BEGIN)
  const endMarker = text.indexOf(HUSKY_END, start)
  const end = endMarker < 0 ? text.length : endMarker + HUSKY_END.length + 1
  const rest = text.slice(0, start) + text.slice(end)
  if (rest.trim() === '') await rm(hookFile)
  else await writeFile(hookFile, rest)
  return true
}
