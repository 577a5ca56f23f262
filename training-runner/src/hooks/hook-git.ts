import { spawn } from 'node:child_process'
import { WmsError } from '@wms/shared/errors'

/**
 * Git as the pre-push hook runs it. Unlike the app's `runGit` (which drops every `GIT_*` variable so that a hook's
 * GIT_DIR can never leak into another repository), the hook runs *inside* the user's push: it must keep what that
 * push uses to reach the remote (GIT_ASKPASS of a GUI client, GIT_SSH_COMMAND, `-c` options in
 * GIT_CONFIG_PARAMETERS) and must address exactly the repository git started it for (GIT_DIR/GIT_WORK_TREE, made
 * absolute), while dropping what belongs to the outer command (an index file, a prefix).
 */

/** The repository the hook runs for, and the environment its git commands get. */
export interface HookRepo {
  /** The per-worktree git directory (absolute). */
  gitDir: string
  /** The shared git directory (absolute; differs from `gitDir` in a linked worktree). */
  commonDir: string
  /** The working tree's top level; undefined in a bare repository. */
  topLevel: string | undefined
  env: NodeJS.ProcessEnv
}

// Variables of the outer git command that would point our commands at the wrong index or folder.
const OUTER_COMMAND_VARS = ['GIT_INDEX_FILE', 'GIT_PREFIX', 'GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR']

/** Result of one git command. */
export interface GitRun {
  code: number
  stdout: string
  stderr: string
}

/** Runs git with `args` in `cwd`; resolves with its exit code and output (never rejects for a non-zero exit). */
export function spawnGit(
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; input?: string },
): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...args], { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', (error) =>
      reject(new WmsError('git/failed', `Cannot run git: ${error.message}`, { hint: 'Check that git is installed.' })),
    )
    child.on('close', (code) =>
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    )
    // A git that exits before reading its input (EPIPE) reports through its exit code instead.
    child.stdin.on('error', () => undefined)
    child.stdin.end(options.input ?? '')
  })
}

/** Runs git for the hook's repository and returns stdout; throws a `git/failed` error naming `operation`. */
export async function hookGit(
  repo: HookRepo,
  operation: string,
  args: readonly string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<string> {
  const run = await spawnGit(args, {
    cwd: options.cwd ?? repo.topLevel ?? repo.gitDir,
    env: options.env ?? repo.env,
    ...(options.input === undefined ? {} : { input: options.input }),
  })
  if (run.code !== 0) {
    const detail = run.stderr.trim().split('\n').slice(-3).join(' ').trim()
    throw new WmsError(
      'git/failed',
      `git ${operation} failed: ${detail === '' ? `exit ${String(run.code)}` : detail}`,
      {
        hint: 'See the git message above; nothing was pushed to main.',
      },
    )
  }
  return run.stdout
}

/**
 * Finds the repository the way the outer git command did (its GIT_DIR/GIT_WORK_TREE, or the current folder) and
 * returns an environment that names it explicitly with absolute paths.
 */
export async function resolveHookRepo(cwd: string, env: NodeJS.ProcessEnv): Promise<HookRepo> {
  const probeEnv = { ...env }
  delete probeEnv.GIT_INDEX_FILE
  const run = await spawnGit(
    ['rev-parse', '--path-format=absolute', '--git-dir', '--git-common-dir', '--is-bare-repository'],
    { cwd, env: probeEnv },
  )
  if (run.code !== 0) {
    throw new WmsError('git/not-a-repo', `The pre-push hook is not running inside a git repository (${cwd}).`, {
      hint: 'Run `training-runner hooks pre-push` only from a git hook.',
    })
  }
  const [gitDir = '', commonDir = '', bare = 'false'] = run.stdout.split('\n')
  let topLevel: string | undefined
  if (bare.trim() !== 'true') {
    const top = await spawnGit(['rev-parse', '--show-toplevel'], { cwd, env: probeEnv })
    if (top.code === 0 && top.stdout.trim() !== '') topLevel = top.stdout.trim()
  }
  const repoEnv = withoutOuterVars(env)
  repoEnv.GIT_DIR = gitDir
  if (topLevel !== undefined) repoEnv.GIT_WORK_TREE = topLevel
  return { gitDir, commonDir, topLevel, env: repoEnv }
}

/** The environment of git commands that must run in another worktree of the same repository (found from `cwd`). */
export function envForOtherWorktree(repo: HookRepo): NodeJS.ProcessEnv {
  return withoutOuterVars(repo.env)
}

function withoutOuterVars(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !OUTER_COMMAND_VARS.includes(name)))
}
