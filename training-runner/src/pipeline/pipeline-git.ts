import { access, mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { openRepo, runGit } from '../adapters/git/run-git.js'

/** The git operations of the pipeline, each one command through the runner's git choke point. */

/** The branch the pipeline merges into. */
export const MAIN_BRANCH = 'main'

/** Where the pipeline keeps the remote's refs it works on (never the user's own branches). */
export function trackingRef(remote: string, branch: string): string {
  return `refs/remotes/${remote}/${branch}`
}

/** A ref's commit, or undefined when it does not exist. */
export async function resolveRef(repo: string, ref: string): Promise<string | undefined> {
  const out = await openRepo(repo)
    .raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])
    .catch(() => '')
  return out.trim() === '' ? undefined : out.trim()
}

/** The commit `branch` has on `remote` (without fetching), or undefined when the remote lacks it. */
export async function remoteBranchCommit(repo: string, remote: string, branch: string): Promise<string | undefined> {
  const listed = await runGit('ls-remote', () =>
    openRepo(repo).raw(['ls-remote', '--heads', remote, `refs/heads/${branch}`]),
  )
  const line = listed.split('\n').find((entry) => entry.endsWith(`\trefs/heads/${branch}`))
  return line?.split('\t')[0]
}

/** Every `data/*` branch on the remote with its commit. */
export async function remoteDataBranches(repo: string, remote: string): Promise<Map<string, string>> {
  const listed = await runGit('ls-remote', () =>
    openRepo(repo).raw(['ls-remote', '--heads', remote, 'refs/heads/data/*']),
  )
  const branches = new Map<string, string>()
  for (const line of listed.split('\n')) {
    const [sha, ref] = line.split('\t')
    if (sha !== undefined && ref?.startsWith('refs/heads/data/') === true)
      branches.set(ref.slice('refs/heads/'.length), sha)
  }
  return branches
}

/** Fetches `branches` from `remote` into its remote-tracking refs (forced: a data branch may be pushed again). */
export async function fetchBranches(repo: string, remote: string, branches: readonly string[]): Promise<void> {
  const specs = branches.map((branch) => `+refs/heads/${branch}:${trackingRef(remote, branch)}`)
  await runGit('fetch', () =>
    openRepo(repo, { timeoutMs: 10 * 60_000 }).raw(['fetch', '--quiet', '--no-tags', remote, ...specs]),
  )
}

/** The merge base of two commits, or undefined for unrelated histories. */
export async function mergeBase(repo: string, a: string, b: string): Promise<string | undefined> {
  const out = await openRepo(repo)
    .raw(['merge-base', a, b])
    .catch(() => '')
  return out.trim() === '' ? undefined : out.trim()
}

/** Paths changed between two commits, with git's status letter (A, M, D, R…). */
export async function changedPaths(
  repo: string,
  from: string,
  to: string,
): Promise<{ status: string; path: string }[]> {
  const out = await runGit('diff', () => openRepo(repo).raw(['diff', '--name-status', '--no-renames', from, to]))
  return out
    .split('\n')
    .filter((line) => line.includes('\t'))
    .map((line) => {
      const [status = '', file = ''] = line.split('\t')
      return { status, path: file }
    })
}

/** A fresh detached worktree of `repo` at `commit` in `dir` (whatever was there is removed first). */
export async function addWorktree(repo: string, dir: string, commit: string): Promise<void> {
  await removeWorktree(repo, dir)
  await mkdir(path.dirname(dir), { recursive: true })
  await runGit('worktree add', () =>
    openRepo(repo).raw(['worktree', 'add', '--quiet', '--force', '--detach', dir, commit]),
  )
}

/** Removes a worktree and its registration; nothing happens when it is not there. */
export async function removeWorktree(repo: string, dir: string): Promise<void> {
  await openRepo(repo)
    .raw(['worktree', 'remove', '--force', '--force', dir])
    .catch(() => undefined)
  await rm(dir, { recursive: true, force: true })
  await openRepo(repo)
    .raw(['worktree', 'prune'])
    .catch(() => undefined)
}

/** The commit checked out in a worktree, or undefined when it is not a worktree (any more). */
export async function worktreeHead(dir: string): Promise<string | undefined> {
  // A job on a fresh CI runner has no worktree yet; a plain folder inside the workspace would answer the workspace's
  // own HEAD. Only a folder with its worktree's `.git` file is one.
  const isWorktree = await access(path.join(dir, '.git')).then(
    () => true,
    () => false,
  )
  if (!isWorktree) return undefined
  const out = await openRepo(dir)
    .raw(['rev-parse', '--verify', '--quiet', 'HEAD'])
    .catch(() => '')
  return out.trim() === '' ? undefined : out.trim()
}

/** The newest commit on `ref` whose message has `marker`, or undefined. */
export async function findCommitWith(repo: string, ref: string, marker: string): Promise<string | undefined> {
  const out = await openRepo(repo)
    .raw(['log', '-1', '--format=%H', '--fixed-strings', `--grep=${marker}`, ref])
    .catch(() => '')
  return out.trim() === '' ? undefined : out.trim()
}

/** Commits `files` (paths relative to the worktree) in `tree` with `message`; returns the new commit. */
export async function commitFiles(tree: string, files: readonly string[], message: string): Promise<string> {
  const git = openRepo(tree)
  await runGit('add', () => git.raw(['add', '--', ...files]))
  const identity = (await git.raw(['config', '--get', 'user.email']).catch(() => '')).trim()
  const who =
    identity === '' ? ['-c', 'user.name=WMS Studio pipeline', '-c', 'user.email=pipeline@wms-studio.invalid'] : []
  await runGit('commit', () => git.raw([...who, 'commit', '--quiet', '--no-verify', '--allow-empty', '-m', message]))
  return (await runGit('rev-parse', () => git.revparse(['HEAD']))).trim()
}

/** Pushes `commit` to `branch` on `remote` only if the remote still has `expected` there (never overwrites). */
export async function pushWithLease(
  repo: string,
  remote: string,
  commit: string,
  branch: string,
  expected: string,
): Promise<void> {
  await runGit('push', () =>
    openRepo(repo, { timeoutMs: 10 * 60_000 }).raw([
      'push',
      '--quiet',
      '--no-verify',
      `--force-with-lease=refs/heads/${branch}:${expected}`,
      remote,
      `${commit}:refs/heads/${branch}`,
    ]),
  )
}

/** Deletes `branch` on `remote` if it is still at `expected` (a branch pushed again meanwhile is kept). */
export async function deleteRemoteBranch(
  repo: string,
  remote: string,
  branch: string,
  expected: string,
): Promise<boolean> {
  try {
    await runGit('push --delete', () =>
      openRepo(repo).raw([
        'push',
        '--quiet',
        '--no-verify',
        `--force-with-lease=refs/heads/${branch}:${expected}`,
        remote,
        `:refs/heads/${branch}`,
      ]),
    )
    await openRepo(repo)
      .raw(['update-ref', '-d', trackingRef(remote, branch)])
      .catch(() => undefined)
    return true
  } catch {
    return false
  }
}
