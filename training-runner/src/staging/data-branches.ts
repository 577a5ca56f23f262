import { openRepo, runGit } from '../adapters/git/run-git.js'

/** A data branch as the pipeline view lists it. */
export interface DataBranch {
  branch: string
  commit: string
  subject: string
  /** Commit time, ms since the epoch. */
  committedAt: number
  /** True when the remote has the branch at this commit. */
  pushed: boolean
}

/**
 * The workspace's data branches, newest first: local `data/*` branches (what this machine submitted) and those
 * on the remote, with whether the remote has them. Reads the remote's refs without fetching objects.
 */
export async function listDataBranches(workspace: string, remote = 'origin'): Promise<DataBranch[]> {
  const git = openRepo(workspace)
  const local = await runGit('for-each-ref', () =>
    git.raw([
      'for-each-ref',
      '--sort=-committerdate',
      '--format=%(refname:short)%09%(objectname)%09%(committerdate:unix)%09%(subject)',
      'refs/heads/data/',
    ]),
  )
  let remoteRefs = new Map<string, string>()
  try {
    const listed = await runGit('ls-remote', () => git.raw(['ls-remote', '--heads', remote, 'refs/heads/data/*']))
    remoteRefs = new Map(
      listed
        .split('\n')
        .filter((line) => line.includes('\t'))
        .map((line) => {
          const [sha = '', ref = ''] = line.split('\t')
          return [ref.replace('refs/heads/', ''), sha] as const
        }),
    )
  } catch {
    // Offline: show the local branches; whether they are pushed is unknown and reported as not pushed.
  }
  return local
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [branch = '', commit = '', seconds = '0', ...subject] = line.split('\t')
      return {
        branch,
        commit,
        subject: subject.join('\t'),
        committedAt: Number(seconds) * 1000,
        pushed: remoteRefs.get(branch) === commit,
      }
    })
}
