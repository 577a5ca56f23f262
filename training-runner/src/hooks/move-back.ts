import { envForOtherWorktree, hookGit, spawnGit, type HookRepo } from './hook-git.js'
import type { PushUpdate } from './push-plan.js'

/**
 * After the data went to its branch, the ref that was pushed goes back to where it was before the data commits
 * (the remote's main: the push only added data on top of it), so the next push of main does not bring the same
 * data again. The index of every worktree that has that ref checked out forgets the data files; the files stay
 * on disk (untracked, or ignored by the workspace's .gitignore) — nothing is deleted.
 */

/** What happened to the pushed ref. */
export interface MoveBackResult {
  /** The ref that moved (`refs/heads/main`, or `HEAD` when detached); undefined when nothing moved. */
  moved: string | undefined
  /** Why nothing moved, for the message. */
  note?: string
}

/** Moves the pushed ref from `update.localSha` back to `target` and unstages `dataFiles` where it is checked out. */
export async function moveRefBack(
  repo: HookRepo,
  update: PushUpdate,
  target: string,
  dataFiles: readonly string[],
  reason: string,
): Promise<MoveBackResult> {
  const ref = await refToMove(repo, update.localRef)
  if (ref === undefined) {
    return { moved: undefined, note: `you pushed ${update.localRef}, not a branch, so no branch was moved` }
  }
  const current = await spawnGit(['rev-parse', '--verify', '-q', ref], { cwd: cwdOf(repo), env: repo.env })
  if (current.stdout.trim() !== update.localSha) {
    return { moved: undefined, note: `${shortRef(ref)} changed while the push ran, so it was left where it is` }
  }
  const detached = ref === 'HEAD'
  await hookGit(repo, 'update-ref', [
    'update-ref',
    '-m',
    `pre-push: ${reason}`,
    ...(detached ? ['--no-deref'] : []),
    ref,
    target,
    update.localSha,
  ])
  for (const worktree of await worktreesWith(repo, ref)) await unstage(repo, worktree, target, dataFiles)
  return { moved: ref }
}

async function refToMove(repo: HookRepo, localRef: string): Promise<string | undefined> {
  if (localRef.startsWith('refs/heads/')) return localRef
  if (localRef !== 'HEAD') return undefined
  const symbolic = await spawnGit(['symbolic-ref', '-q', 'HEAD'], { cwd: cwdOf(repo), env: repo.env })
  return symbolic.code === 0 ? symbolic.stdout.trim() : 'HEAD'
}

/** A worktree to clean: undefined = the hook's own (its environment names it), else another one's folder. */
type Worktree = { own: true } | { own: false; dir: string }

async function worktreesWith(repo: HookRepo, ref: string): Promise<Worktree[]> {
  if (ref === 'HEAD') return repo.topLevel === undefined ? [] : [{ own: true }]
  const listing = await hookGit(repo, 'worktree list', ['worktree', 'list', '--porcelain', '-z'])
  const found: Worktree[] = []
  let dir: string | undefined
  let bare = false
  for (const field of listing.split('\0')) {
    if (field.startsWith('worktree ')) {
      dir = field.slice('worktree '.length)
      bare = false
    } else if (field === 'bare') bare = true
    else if (field === `branch ${ref}` && dir !== undefined && !bare) {
      found.push(dir === repo.topLevel ? { own: true } : { own: false, dir })
    }
  }
  return found
}

async function unstage(repo: HookRepo, worktree: Worktree, target: string, files: readonly string[]): Promise<void> {
  const args = ['--literal-pathspecs', 'reset', '-q', target, '--pathspec-from-file=-', '--pathspec-file-nul']
  const input = files.join('\0') + '\0'
  if (worktree.own) await hookGit(repo, 'reset', args, { input })
  else await hookGit(repo, 'reset', args, { input, cwd: worktree.dir, env: envForOtherWorktree(repo) })
}

const cwdOf = (repo: HookRepo): string => repo.topLevel ?? repo.gitDir
const shortRef = (ref: string): string => ref.replace(/^refs\/heads\//, '')
