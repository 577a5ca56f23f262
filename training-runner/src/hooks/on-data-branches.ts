import { WmsError } from '@wms/shared/errors'
import { hookGit, spawnGit, type HookRepo } from './hook-git.js'
import type { NewDataFile } from './push-plan.js'

/**
 * Which of the new files are already on a data branch of the remote (same path, same bytes) — so that a push that
 * brings the same data again (a main that was not moved back, a cherry-pick, a second clone) never makes a second
 * branch. The remote's `data/*` heads are listed with `ls-remote` (no fetch); those whose commits are here are
 * looked into with `ls-tree`, limited to the dataset folders.
 */
export async function findOnDataBranches(
  repo: HookRepo,
  remote: string,
  files: readonly NewDataFile[],
  pathspecs: readonly string[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>()
  if (files.length === 0) return found
  const heads = await remoteDataHeads(repo, remote)
  const present = await presentCommits(
    repo,
    heads.map((head) => head.sha),
  )
  const wanted = new Map(files.map((file) => [file.path, file.blob]))
  for (const head of heads) {
    if (!present.has(head.sha)) continue
    // The dataset folders, not the file list: a long list would overflow the command line (32 K on Windows).
    const listing = await hookGit(repo, 'ls-tree', [
      '--literal-pathspecs',
      'ls-tree',
      '-r',
      '-z',
      head.sha,
      '--',
      ...pathspecs,
    ])
    for (const entry of listing.split('\0')) {
      const tab = entry.indexOf('\t')
      if (tab < 0) continue
      const [, , blob] = entry.slice(0, tab).split(' ')
      const file = entry.slice(tab + 1)
      if (wanted.get(file) === blob && !found.has(file)) found.set(file, head.branch)
    }
  }
  return found
}

interface RemoteHead {
  branch: string
  sha: string
}

async function remoteDataHeads(repo: HookRepo, remote: string): Promise<RemoteHead[]> {
  const run = await spawnGit(['ls-remote', '--heads', remote, 'refs/heads/data/*'], {
    cwd: repo.topLevel ?? repo.gitDir,
    env: repo.env,
  })
  if (run.code !== 0) {
    throw new WmsError('git/offline', `Cannot list the data branches of ${remote}: ${run.stderr.trim()}`, {
      hint: 'Check that you can reach the remote and push again; nothing was pushed.',
      retryable: true,
    })
  }
  return run.stdout
    .split('\n')
    .filter((line) => line.includes('\t'))
    .map((line) => {
      const [sha = '', ref = ''] = line.split('\t')
      return { sha, branch: ref.replace(/^refs\/heads\//, '') }
    })
    .sort((a, b) => a.branch.localeCompare(b.branch))
}

async function presentCommits(repo: HookRepo, shas: readonly string[]): Promise<Set<string>> {
  if (shas.length === 0) return new Set()
  const out = await hookGit(repo, 'cat-file', ['cat-file', '--batch-check'], { input: `${shas.join('\n')}\n` })
  return new Set(
    out
      .split('\n')
      .filter((line) => / commit \d+$/.test(line))
      .map((line) => line.split(' ')[0] ?? ''),
  )
}
