import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { dataBranchName } from '@wms/shared/staging/dataset-layout'
import { WmsError } from '@wms/shared/errors'
import { hookGit, spawnGit, type HookRepo } from './hook-git.js'
import type { NewDataFile } from './push-plan.js'

/**
 * The data branch, made with git's plumbing: the new files are already blobs in the repository (they were
 * committed), so the branch commit is the remote main's tree plus those blobs, built in a temporary index. Nothing
 * touches the user's working tree, index, HEAD or hooks — which also makes it correct in linked worktrees, bare
 * repositories, with a detached HEAD and with GIT_DIR/GIT_WORK_TREE set.
 */

/** Runs `work` with a fresh temporary index file, removed afterwards. */
async function withTemporaryIndex<T>(repo: HookRepo, work: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'wms-pre-push-'))
  try {
    return await work({ ...repo.env, GIT_INDEX_FILE: path.join(scratch, 'index') })
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

const indexInfo = (files: readonly NewDataFile[]): string =>
  files.map((file) => `${file.mode} ${file.blob}\t${file.path}`).join('\0') + '\0'

/** Writes the committed bytes of `files` under `dir` (same relative paths), for QA. */
export async function extractFiles(repo: HookRepo, files: readonly NewDataFile[], dir: string): Promise<void> {
  await withTemporaryIndex(repo, async (env) => {
    await hookGit(repo, 'update-index', ['update-index', '-z', '--index-info'], { env, input: indexInfo(files) })
    await hookGit(repo, 'checkout-index', ['checkout-index', '--all', '--force', `--prefix=${dir}${path.sep}`], {
      env,
    })
  })
}

/** Makes the data branch's commit: `base`'s tree plus `files`, with `base` as its parent. */
export async function buildDataCommit(
  repo: HookRepo,
  base: string,
  files: readonly NewDataFile[],
  message: string,
): Promise<string> {
  return withTemporaryIndex(repo, async (env) => {
    await hookGit(repo, 'read-tree', ['read-tree', base], { env })
    await hookGit(repo, 'update-index', ['update-index', '-z', '--index-info'], { env, input: indexInfo(files) })
    const tree = (await hookGit(repo, 'write-tree', ['write-tree'], { env })).trim()
    return (await hookGit(repo, 'commit-tree', ['commit-tree', tree, '-p', base], { env, input: message })).trim()
  })
}

/**
 * Creates `refs/heads/data/YYYYMMDD-HHMMSS` at `commit` under a name that is free here and on the remote (a
 * suffix when a branch of that second exists), and pushes it without running any hook. Returns the branch name.
 * On a failed push the local branch is deleted again: a data branch here always means "on the remote".
 */
export async function createAndPushBranch(
  repo: HookRepo,
  remote: string,
  commit: string,
  now: Date,
  innerEnv: NodeJS.ProcessEnv,
): Promise<string> {
  for (let attempt = 1; attempt <= 20; attempt += 1) {
    const branch = dataBranchName(now, attempt)
    const created = await spawnGit(['update-ref', `refs/heads/${branch}`, commit, ''], {
      cwd: repo.topLevel ?? repo.gitDir,
      env: repo.env,
    })
    if (created.code !== 0) continue
    const pushed = await spawnGit(
      ['push', '--no-verify', '--porcelain', remote, `refs/heads/${branch}:refs/heads/${branch}`],
      { cwd: repo.topLevel ?? repo.gitDir, env: innerEnv },
    )
    if (pushed.code === 0) return branch
    await spawnGit(['update-ref', '-d', `refs/heads/${branch}`, commit], {
      cwd: repo.topLevel ?? repo.gitDir,
      env: repo.env,
    })
    // The remote already has a branch of that name (another push in the same second): take the next name.
    if (/\[rejected\]|already exists|non-fast-forward|fetch first/.test(pushed.stdout + pushed.stderr)) continue
    throw new WmsError('git/push-rejected', `Could not push the data branch ${branch}: ${lastLines(pushed.stderr)}`, {
      hint: 'Check that you can reach the remote (network, credentials) and push again; main was not touched.',
    })
  }
  throw new WmsError('git/push-rejected', 'Could not find a free data branch name after 20 tries.', {
    hint: 'Push again in a second.',
  })
}

const lastLines = (text: string): string => text.trim().split('\n').slice(-3).join(' ')
