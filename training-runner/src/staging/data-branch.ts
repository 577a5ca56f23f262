import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import { dataBranchName } from '@wms/shared/staging/dataset-layout'
import { openRepo, runGit } from '../adapters/git/run-git.js'

/** A file to commit on the data branch: where it goes in the dataset, and where its bytes are now. */
export interface BranchFile {
  relpath: string
  source: string
}

/** Options of {@link commitDataBranch}. */
export interface CommitDataBranchOptions {
  workspace: string
  /** Dataset folder inside the repository (`data/training`). */
  datasetRoot: string
  files: readonly BranchFile[]
  message: string
  /** When the submission started; names the branch. */
  now?: Date
  /** Commit on top of this ref (default: the workspace's HEAD). */
  base?: string
}

/** A committed (not yet pushed) data branch. */
export interface CommittedBranch {
  branch: string
  commit: string
}

/**
 * Commits exactly `files` on a new `data/YYYYMMDD-HHMMSS` branch, without touching the user's working tree,
 * index or current branch: the commit is made in a temporary worktree that is removed afterwards. Raw files are
 * force-added (main's .gitignore keeps them out of main, the data branch carries them to CI).
 */
export async function commitDataBranch(options: CommitDataBranchOptions): Promise<CommittedBranch> {
  if (options.files.length === 0)
    throw new WmsError('usage/invalid-arguments', 'Nothing to commit: no files were given.')
  const git = openRepo(options.workspace)
  const base = options.base ?? 'HEAD'
  const branch = await freeBranchName(git, options.now ?? new Date())
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'wms-data-branch-'))
  const worktree = path.join(scratch, 'tree')
  try {
    await runGit('worktree add', () => git.raw(['worktree', 'add', '--quiet', '-b', branch, worktree, base]))
    const tree = openRepo(worktree)
    const added: string[] = []
    for (const file of options.files) {
      const target = path.join(worktree, options.datasetRoot, file.relpath)
      await mkdir(path.dirname(target), { recursive: true })
      await copyFile(file.source, target)
      added.push(path.posix.join(options.datasetRoot, file.relpath))
    }
    await runGit('add', () => tree.raw(['add', '--force', '--', ...added]))
    await runGit('commit', () => tree.raw(['commit', '--quiet', '--no-verify', '-m', options.message]))
    const commit = (await runGit('rev-parse', () => tree.revparse(['HEAD']))).trim()
    return { branch, commit }
  } catch (thrown) {
    // No half-made branch is left behind: the next attempt starts clean.
    await git.raw(['branch', '-D', branch]).catch(() => undefined)
    throw thrown
  } finally {
    await git.raw(['worktree', 'remove', '--force', worktree]).catch(() => undefined)
    await rm(scratch, { recursive: true, force: true })
    await git.raw(['worktree', 'prune']).catch(() => undefined)
  }
}

async function freeBranchName(git: ReturnType<typeof openRepo>, now: Date): Promise<string> {
  const existing = new Set(
    (await runGit('branch', () => git.raw(['branch', '--list', 'data/*', '--format=%(refname:short)']))).split('\n'),
  )
  for (let attempt = 1; ; attempt += 1) {
    const name = dataBranchName(now, attempt)
    if (!existing.has(name)) return name
  }
}

/** Push progress: git's own counters, 0–1 overall. */
export interface PushProgress {
  stage: string
  progress: number
}

/**
 * Pushes a data branch to `remote`, reporting git's progress. Safe to repeat: a branch that is already on the
 * remote at the same commit pushes as a no-op.
 */
export async function pushDataBranch(
  workspace: string,
  branch: string,
  options: { remote?: string; onProgress?: (progress: PushProgress) => void; timeoutMs?: number } = {},
): Promise<void> {
  const remote = options.remote ?? 'origin'
  const git = openRepo(workspace, { timeoutMs: options.timeoutMs ?? 10 * 60_000 })
  const withProgress = options.onProgress === undefined ? git : openRepoWithProgress(workspace, options.onProgress)
  await runGit('push', () =>
    withProgress.push(remote, `refs/heads/${branch}:refs/heads/${branch}`, ['--progress', '--no-verify']),
  )
}

function openRepoWithProgress(workspace: string, onProgress: (progress: PushProgress) => void) {
  // simple-git's progress plugin parses git's "Writing objects: 45% (9/20)" lines.
  return openRepo(workspace, {
    progress: ({ stage, progress }) => onProgress({ stage, progress: progress / 100 }),
  })
}
