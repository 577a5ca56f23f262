import type { RestEndpointMethodTypes } from '@octokit/rest'
import type { RateLimitState, RequestStats } from './conditional-fetch.js'
import { createGitHubClient, type GitHubClient, type GitHubClientOptions } from './github-client.js'
import { githubCall } from './github-errors.js'
import { publishBranchName } from './publish-branch.js'

/**
 * What the app shows of a data branch on GitHub: its workflow runs with their jobs and steps (timing, log links),
 * and the pipeline's pull request with its state and checks. Every GET is conditional (ETag), jobs of a finished
 * run and checks of a closed PR are remembered, so an idle poll is 2 requests answered `304` — free of rate limit.
 * Rate limits wait (bounded) and then fail with `github/rate-limited`; a missing permission fails with
 * `github/permission-denied` naming it.
 */

/** One step of a job. */
export interface GitHubStepStatus {
  number: number
  name: string
  status: 'queued' | 'in_progress' | 'completed' | 'pending'
  /** `success`, `failure`, `skipped`, `cancelled`… once completed. */
  conclusion: string | null
  startedAt: string | null
  completedAt: string | null
  seconds: number | null
  /** The step's log in the job page. */
  logUrl: string | null
}

/** One job of a workflow run. */
export interface GitHubJobStatus {
  id: number
  name: string
  status: string
  conclusion: string | null
  startedAt: string | null
  completedAt: string | null
  seconds: number | null
  /** The job's page (its log). */
  logUrl: string | null
  runnerName: string | null
  labels: string[]
  steps: GitHubStepStatus[]
}

/** One workflow run on the branch, newest first. */
export interface GitHubWorkflowRun {
  id: number
  name: string | null
  /** The workflow file, e.g. `.github/workflows/data-pipeline.yml`. */
  path: string
  event: string
  status: string | null
  conclusion: string | null
  headSha: string
  runNumber: number
  attempt: number
  url: string
  createdAt: string
  updatedAt: string
  startedAt: string | null
  jobs: GitHubJobStatus[]
}

/** One check on the PR's head commit: a check run or a commit status. */
export interface GitHubCheck {
  kind: 'check-run' | 'status'
  name: string
  /** `queued`, `in_progress`, `completed` (check runs) or `pending`, `success`, `failure`, `error` (statuses). */
  status: string
  conclusion: string | null
  url: string | null
}

/** The pipeline's pull request of a data branch. */
export interface GitHubPullRequestStatus {
  number: number
  url: string
  title: string
  state: 'open' | 'closed' | 'merged'
  draft: boolean
  headRef: string
  headSha: string
  baseRef: string
  labels: string[]
  autoMerge: boolean
  mergedAt: string | null
  mergeCommitSha: string | null
  checks: GitHubCheck[]
  /** All checks together: `none` when there are none. */
  checksState: 'none' | 'pending' | 'success' | 'failure'
}

/** Everything the app shows of a branch, as of `fetchedAt`. */
export interface GitHubBranchStatus {
  branch: string
  runs: GitHubWorkflowRun[]
  pullRequest: GitHubPullRequestStatus | null
  fetchedAt: number
  rateLimit: RateLimitState | null
}

/** Options of {@link createGitHubStatusClient}. */
export interface GitHubStatusClientOptions extends GitHubClientOptions {
  /** Runs listed per branch (default 5). */
  runsPerBranch?: number
}

/** See the module comment. */
export interface GitHubStatusClient {
  /** Runs (with jobs and steps) and the PR of a data branch. */
  branchStatus: (branch: string) => Promise<GitHubBranchStatus>
  /** The branch's workflow runs, newest first, with jobs and steps. */
  workflowRuns: (branch: string) => Promise<GitHubWorkflowRun[]>
  /** The pipeline's PR of the branch (open, closed or merged), or null. */
  pullRequest: (branch: string) => Promise<GitHubPullRequestStatus | null>
  /** Requests so far: sent, answered 304 (free), counted. */
  stats: () => RequestStats
  rateLimit: () => RateLimitState | null
}

type ApiRun = RestEndpointMethodTypes['actions']['listWorkflowRunsForRepo']['response']['data']['workflow_runs'][number]
type ApiJob = RestEndpointMethodTypes['actions']['listJobsForWorkflowRun']['response']['data']['jobs'][number]
type ApiPull = RestEndpointMethodTypes['pulls']['list']['response']['data'][number]

/** See the module comment. */
export function createGitHubStatusClient(options: GitHubStatusClientOptions): GitHubStatusClient {
  return statusClientOver(createGitHubClient(options), options.runsPerBranch ?? 5)
}

/** The status client over an existing {@link GitHubClient} (the publisher shares one). */
export function statusClientOver(client: GitHubClient, runsPerBranch = 5): GitHubStatusClient {
  const { octokit, owner, repo } = client
  // Jobs of a finished run attempt and checks of a closed PR do not change: asked once.
  const finishedJobs = new Map<string, GitHubJobStatus[]>()
  const closedChecks = new Map<string, GitHubCheck[]>()

  async function jobsOf(run: ApiRun): Promise<GitHubJobStatus[]> {
    const key = `${String(run.id)}:${String(run.run_attempt ?? 1)}:${run.updated_at}`
    const known = finishedJobs.get(key)
    if (known !== undefined) return known
    const { data } = await githubCall(`list the jobs of workflow run ${String(run.id)}`, 'actions: read', () =>
      octokit.rest.actions.listJobsForWorkflowRun({ owner, repo, run_id: run.id, per_page: 100 }),
    )
    const jobs = data.jobs.map(toJob)
    if (run.status === 'completed') finishedJobs.set(key, jobs)
    return jobs
  }

  async function workflowRuns(branch: string): Promise<GitHubWorkflowRun[]> {
    const { data } = await githubCall(`list the workflow runs of ${branch}`, 'actions: read', () =>
      octokit.rest.actions.listWorkflowRunsForRepo({ owner, repo, branch, per_page: runsPerBranch }),
    )
    const runs: GitHubWorkflowRun[] = []
    for (const run of data.workflow_runs) runs.push({ ...toRun(run), jobs: await jobsOf(run) })
    return runs
  }

  async function checksOf(pull: ApiPull): Promise<GitHubCheck[]> {
    const sha = pull.head.sha
    const known = closedChecks.get(sha)
    if (known !== undefined) return known
    const [runs, combined] = await Promise.all([
      githubCall(`list the check runs of ${sha.slice(0, 12)}`, 'checks: read', () =>
        octokit.rest.checks.listForRef({ owner, repo, ref: sha, per_page: 100 }),
      ),
      githubCall(`read the commit status of ${sha.slice(0, 12)}`, 'statuses: read', () =>
        octokit.rest.repos.getCombinedStatusForRef({ owner, repo, ref: sha, per_page: 100 }),
      ),
    ])
    const checks: GitHubCheck[] = [
      ...runs.data.check_runs.map((run) => ({
        kind: 'check-run' as const,
        name: run.name,
        status: run.status,
        conclusion: run.conclusion,
        url: run.html_url,
      })),
      ...combined.data.statuses.map((status) => ({
        kind: 'status' as const,
        name: status.context,
        status: status.state,
        conclusion: status.state === 'pending' ? null : status.state,
        url: status.target_url,
      })),
    ]
    if (pull.state === 'closed') closedChecks.set(sha, checks)
    return checks
  }

  async function pullRequest(branch: string): Promise<GitHubPullRequestStatus | null> {
    const head = `${owner}:${publishBranchName(branch)}`
    const { data } = await githubCall(`look up the pull request of ${branch}`, 'pull-requests: read', () =>
      octokit.rest.pulls.list({ owner, repo, head, state: 'all', per_page: 10 }),
    )
    const pull = data[0]
    if (pull === undefined) return null
    const checks = await checksOf(pull)
    return {
      number: pull.number,
      url: pull.html_url,
      title: pull.title,
      state: pull.merged_at !== null ? 'merged' : pull.state === 'open' ? 'open' : 'closed',
      draft: pull.draft ?? false,
      headRef: pull.head.ref,
      headSha: pull.head.sha,
      baseRef: pull.base.ref,
      labels: pull.labels.map((label) => label.name),
      autoMerge: pull.auto_merge !== null,
      mergedAt: pull.merged_at,
      mergeCommitSha: pull.merge_commit_sha,
      checks,
      checksState: checksState(checks),
    }
  }

  return {
    workflowRuns,
    pullRequest,
    branchStatus: async (branch) => {
      const [runs, pull] = await Promise.all([workflowRuns(branch), pullRequest(branch)])
      return { branch, runs, pullRequest: pull, fetchedAt: Date.now(), rateLimit: client.rateLimit() }
    },
    stats: client.stats,
    rateLimit: client.rateLimit,
  }
}

function seconds(start: string | null | undefined, end: string | null | undefined): number | null {
  if (start === null || start === undefined || end === null || end === undefined) return null
  return Math.max(0, (Date.parse(end) - Date.parse(start)) / 1000)
}

function toRun(run: ApiRun): Omit<GitHubWorkflowRun, 'jobs'> {
  return {
    id: run.id,
    name: run.name ?? null,
    path: run.path,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    headSha: run.head_sha,
    runNumber: run.run_number,
    attempt: run.run_attempt ?? 1,
    url: run.html_url,
    createdAt: run.created_at,
    updatedAt: run.updated_at,
    startedAt: run.run_started_at ?? null,
  }
}

function toJob(job: ApiJob): GitHubJobStatus {
  return {
    id: job.id,
    name: job.name,
    status: job.status,
    conclusion: job.conclusion,
    startedAt: job.started_at,
    completedAt: job.completed_at,
    seconds: seconds(job.started_at, job.completed_at),
    logUrl: job.html_url,
    runnerName: job.runner_name,
    labels: job.labels,
    steps: (job.steps ?? []).map((step) => ({
      number: step.number,
      name: step.name,
      status: step.status,
      conclusion: step.conclusion,
      startedAt: step.started_at ?? null,
      completedAt: step.completed_at ?? null,
      seconds: seconds(step.started_at, step.completed_at),
      logUrl: job.html_url === null ? null : `${job.html_url}#step:${String(step.number)}:1`,
    })),
  }
}

function checksState(checks: readonly GitHubCheck[]): GitHubPullRequestStatus['checksState'] {
  if (checks.length === 0) return 'none'
  const bad = new Set(['failure', 'error', 'cancelled', 'timed_out', 'action_required'])
  if (checks.some((check) => check.conclusion !== null && bad.has(check.conclusion))) return 'failure'
  if (checks.some((check) => check.conclusion === null)) return 'pending'
  return 'success'
}
