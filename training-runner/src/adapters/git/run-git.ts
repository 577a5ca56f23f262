import { simpleGit, type SimpleGit, type SimpleGitProgressEvent } from 'simple-git'
import { WmsError, type ErrorCode } from '@wms/shared/errors'

/**
 * The one choke point for git: every git operation of the runner and the app goes through {@link runGit}, which
 * names the operation, applies a timeout and maps git's failures to domain error codes.
 */

/** Options for {@link openRepo}. */
export interface OpenRepoOptions {
  /** Abort a single git command after this long (pushes over slow networks need more). */
  timeoutMs?: number
  /** Receives git's progress counters (clone, fetch, push). */
  progress?: (event: SimpleGitProgressEvent) => void
  /** A private index file (`GIT_INDEX_FILE`): builds a tree without touching the user's index or files. */
  indexFile?: string
  /**
   * Extra variables for git's environment, e.g. `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_0`/`GIT_CONFIG_VALUE_0` carrying
   * an `http.extraHeader` with a token (the app's clone): the environment is private to the process, while a `-c`
   * on the command line is readable by every local user.
   */
  extraEnv?: Record<string, string>
}

/**
 * A simple-git instance bound to `dir`, with a timeout, a sanitised environment, and exit codes checked: by
 * default simple-git treats a non-zero exit as success when stderr is empty (`git commit` with nothing to commit
 * exits 1 and says so on stdout), so every failed command here rejects, whatever it printed where.
 */
export function openRepo(dir: string, options: OpenRepoOptions = {}): SimpleGit {
  const git = simpleGit({
    baseDir: dir,
    timeout: { block: options.timeoutMs ?? 120_000 },
    errors: failOnNonZeroExit,
    ...(options.progress === undefined ? {} : { progress: options.progress }),
    allowEnvironment: [
      ...(options.indexFile === undefined ? [] : ['GIT_INDEX_FILE']),
      ...Object.keys(options.extraEnv ?? {}),
    ],
  })
  const env = { ...cleanGitEnv(process.env), ...options.extraEnv }
  if (options.indexFile !== undefined) env.GIT_INDEX_FILE = options.indexFile
  return git.env(env)
}

/** simple-git's error hook: keep its own errors, and turn any non-zero exit into one (stdout and stderr). */
export function failOnNonZeroExit(
  error: Buffer | Error | undefined,
  result: { exitCode: number; stdOut: readonly Buffer[]; stdErr: readonly Buffer[] },
): Buffer | Error | undefined {
  if (error !== undefined) return error
  if (result.exitCode === 0) return undefined
  const output = Buffer.concat([...result.stdErr, ...result.stdOut])
    .toString('utf8')
    .trim()
  return Buffer.from(output === '' ? `git exited with code ${String(result.exitCode)}` : output)
}

// What git needs to find its config, credentials and network: no GIT_* (a hook's GIT_DIR must never leak into
// another repository) and nothing simple-git's guard refuses (EDITOR, PAGER, …).
const GIT_ENV_ALLOWED =
  /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|LC_\w+|TZ|TMPDIR|TEMP|TMP|SSH_AUTH_SOCK|SSH_AGENT_PID|DISPLAY|XDG_\w+|HTTPS?_PROXY|https?_proxy|NO_PROXY|no_proxy|ALL_PROXY|all_proxy|APPDATA|LOCALAPPDATA|USERPROFILE|HOMEDRIVE|HOMEPATH|SYSTEMROOT|SystemRoot|COMSPEC|PATHEXT|WINDIR|ProgramData|ProgramFiles)$/

/** The environment git commands run with: an allow-list of the variables git needs. */
export function cleanGitEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const clean: Record<string, string> = {}
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && GIT_ENV_ALLOWED.test(key)) clean[key] = value
  }
  return clean
}

/** Runs one named git operation and converts failures to {@link WmsError}s with actionable messages. */
export async function runGit<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (thrown) {
    throw toGitError(operation, thrown)
  }
}

const PATTERNS: { test: RegExp; code: ErrorCode; hint: string; retryable?: boolean }[] = [
  {
    test: /not a git repository/i,
    code: 'git/not-a-repo',
    hint: 'Open a folder that is a git repository (or let WMS Studio create the demo workspace).',
  },
  {
    test: /\[rejected\]|non-fast-forward|failed to push some refs|pre-receive hook declined/i,
    code: 'git/push-rejected',
    hint: 'The remote refused the push. Fetch, check the branch on the remote, and try again.',
  },
  {
    test: /authentication failed|permission denied|could not read username|403|401/i,
    code: 'git/auth-failed',
    hint: 'Check your git credentials for this remote (token or SSH key) and try again.',
  },
  {
    test: /could not resolve host|unable to access|connection (refused|timed out)|network is unreachable|timed out/i,
    code: 'git/offline',
    hint: 'The remote cannot be reached. Your work is kept; try again when you are online.',
    retryable: true,
  },
]

function toGitError(operation: string, thrown: unknown): WmsError {
  if (thrown instanceof WmsError) return thrown
  const message = thrown instanceof Error ? thrown.message : String(thrown)
  const match = PATTERNS.find((pattern) => pattern.test.test(message))
  const firstLine = message.split('\n').find((line) => line.trim() !== '') ?? message
  const options: { hint: string; retryable?: boolean; cause: unknown } = {
    hint: match?.hint ?? 'See the git output above for details.',
    cause: thrown,
  }
  if (match?.retryable === true) options.retryable = true
  return new WmsError(match?.code ?? 'git/failed', `git ${operation} failed: ${firstLine.trim()}`, options)
}
