import type { GitHubClient } from './github-client.js'
import { explainGitHubError, githubCall } from './github-errors.js'

/**
 * The GitHub half of publishing an improved run: the pipeline has pushed its publish commit (merged `.dvc` files,
 * `model-metadata.json`, the history line) to `wms/publish/<data branch>`; this opens or updates the PR from it,
 * labels it, marks the commit with the pipeline's own status (so a branch protection rule can require
 * `wms/pipeline`), merges it — squash with the exact head SHA, or GitHub's auto-merge (GraphQL) when the repository
 * requires more checks — and deletes the publish and data branches. Every step is safe to repeat: a rerun finds
 * the PR (open or merged) by its head branch.
 */

/** How the PR is merged. */
export type MergeMode = 'squash' | 'auto'

/** Options of {@link publishPullRequest}. */
export interface PublishPullRequestOptions {
  /** The branch with the publish commit (`wms/publish/<data branch>`). */
  head: string
  headSha: string
  base: string
  title: string
  body: string
  labels: string[]
  /** The squash commit's title and message (the message carries the `Data-Branch:` marker). */
  commitTitle: string
  commitMessage: string
  merge: MergeMode
  /** The commit status the pipeline sets on the head (default `wms/pipeline`). */
  statusContext?: string
  statusDescription: string
  /** Link of the status (the workflow run). */
  targetUrl?: string
  /** Branches to delete once merged (the publish branch; the data branch when it has not moved). */
  deleteBranches: string[]
  /** Told what happens (the pipeline turns it into events). */
  log?: (message: string) => void
}

/** What {@link publishPullRequest} did. */
export interface PublishedPullRequest {
  number: number
  url: string
  /** Merged now (or already by an earlier run). */
  merged: boolean
  /** The commit on the base branch, once merged. */
  mergeCommit: string | null
  /** Auto-merge is enabled and GitHub merges when the required checks pass. */
  autoMerge: boolean
  deletedBranches: string[]
}

const AUTO_MERGE = `mutation($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod!) {
  enablePullRequestAutoMerge(input: {pullRequestId: $pullRequestId, mergeMethod: $mergeMethod}) {
    pullRequest { number autoMergeRequest { enabledAt } }
  }
}`

/** See the module comment. */
export async function publishPullRequest(
  client: GitHubClient,
  options: PublishPullRequestOptions,
): Promise<PublishedPullRequest> {
  const { octokit, owner, repo } = client
  const log = options.log ?? (() => undefined)
  const { data: existing } = await githubCall(
    `look up the pull request from ${options.head}`,
    'pull-requests: read',
    () => octokit.rest.pulls.list({ owner, repo, head: `${owner}:${options.head}`, state: 'all', per_page: 10 }),
  )
  // Merged already — by this run (a retried job). A PR merged from the same branch name for an earlier push of the
  // data branch had another head commit and does not count.
  const merged = existing.find((pull) => pull.merged_at !== null && pull.head.sha === options.headSha)
  if (merged !== undefined) {
    log(`PR #${String(merged.number)} is merged already.`)
    const deletedBranches = await deleteBranches(client, options.deleteBranches)
    return {
      number: merged.number,
      url: merged.html_url,
      merged: true,
      mergeCommit: merged.merge_commit_sha,
      autoMerge: false,
      deletedBranches,
    }
  }
  const open = existing.find((pull) => pull.state === 'open')
  const pull =
    open === undefined
      ? (
          await githubCall(`create the pull request from ${options.head}`, 'pull-requests: write', () =>
            octokit.rest.pulls.create({
              owner,
              repo,
              head: options.head,
              base: options.base,
              title: options.title,
              body: options.body,
              maintainer_can_modify: false,
            }),
          )
        ).data
      : (
          await githubCall(`update pull request #${String(open.number)}`, 'pull-requests: write', () =>
            octokit.rest.pulls.update({
              owner,
              repo,
              pull_number: open.number,
              title: options.title,
              body: options.body,
            }),
          )
        ).data
  log(`${open === undefined ? 'Opened' : 'Updated'} PR #${String(pull.number)}: ${pull.html_url}`)
  if (options.labels.length > 0) {
    await githubCall(`label pull request #${String(pull.number)}`, 'pull-requests: write', () =>
      octokit.rest.issues.addLabels({ owner, repo, issue_number: pull.number, labels: options.labels }),
    )
  }
  await githubCall(
    `set the ${options.statusContext ?? 'wms/pipeline'} status on ${options.headSha.slice(0, 12)}`,
    'statuses: write',
    () =>
      octokit.rest.repos.createCommitStatus({
        owner,
        repo,
        sha: options.headSha,
        state: 'success',
        context: options.statusContext ?? 'wms/pipeline',
        description: options.statusDescription.slice(0, 140),
        ...(options.targetUrl === undefined ? {} : { target_url: options.targetUrl }),
      }),
  )
  const base = { number: pull.number, url: pull.html_url }
  if (options.merge === 'auto') {
    const enabled = await enableAutoMerge(client, pull.node_id, log)
    if (enabled) return { ...base, merged: false, mergeCommit: null, autoMerge: true, deletedBranches: [] }
  }
  const { data: result } = await githubCall(`merge pull request #${String(pull.number)}`, 'contents: write', () =>
    octokit.rest.pulls.merge({
      owner,
      repo,
      pull_number: pull.number,
      sha: options.headSha,
      merge_method: 'squash',
      commit_title: options.commitTitle,
      commit_message: options.commitMessage,
    }),
  )
  log(`Merged PR #${String(pull.number)} (squash) as ${result.sha.slice(0, 12)}.`)
  const deletedBranches = await deleteBranches(client, options.deleteBranches)
  return { ...base, merged: true, mergeCommit: result.sha, autoMerge: false, deletedBranches }
}

/**
 * GitHub's auto-merge: true when enabled. A PR that can merge now ("clean status") or a repository without
 * auto-merge answers with an error, and the caller merges directly instead.
 */
async function enableAutoMerge(
  client: GitHubClient,
  pullRequestId: string,
  log: (message: string) => void,
): Promise<boolean> {
  try {
    const answer: { enablePullRequestAutoMerge: unknown } = await client.octokit.graphql(AUTO_MERGE, {
      pullRequestId,
      mergeMethod: 'SQUASH',
    })
    return answer.enablePullRequestAutoMerge !== null
  } catch (thrown) {
    const message = thrown instanceof Error ? thrown.message : String(thrown)
    if (/clean status|not allowed|auto merge is not allowed/i.test(message)) {
      log(`Auto-merge not used (${message.split('\n')[0] ?? ''}); merging directly.`)
      return false
    }
    throw explainGitHubError(thrown, 'enable auto-merge', 'pull-requests: write')
  }
}

/** Deletes branches that are still where the pipeline left them; a missing one is already gone. */
async function deleteBranches(client: GitHubClient, branches: readonly string[]): Promise<string[]> {
  const deleted: string[] = []
  for (const branch of branches) {
    try {
      await client.octokit.rest.git.deleteRef({ owner: client.owner, repo: client.repo, ref: `heads/${branch}` })
      deleted.push(branch)
    } catch (thrown) {
      const status = (thrown as { status?: number }).status
      // 422 "Reference does not exist": deleted already (GitHub's "delete head branches" setting, an earlier run).
      if (status === 422) continue
      throw explainGitHubError(thrown, `delete the branch ${branch}`, 'contents: write')
    }
  }
  return deleted
}
