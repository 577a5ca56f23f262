import { renderRunReport } from '@wms/shared/pipeline/render-run-report'
import type { PipelineRunRecord } from '@wms/shared/pipeline/run-record'
import type { GitHubClient } from './github-client.js'
import { githubCall } from './github-errors.js'
import { publishBranchName } from './publish-branch.js'

/**
 * Telling the person who pushed: when a run did not merge — the model did not improve, the branch was refused, a
 * step failed, the workflow itself broke — one comment on the PR (when the pipeline opened one) or else on the
 * pushed commit. A failure names the failed job and step with a link to its log (read from the workflow run's jobs),
 * and carries the run's report when there is a record. The comment holds a hidden marker for the branch and commit,
 * so a rerun edits it instead of adding another. This is the step the old system never reached (`bash -e`).
 */

/** A failed job step of the workflow run, with the link to its log. */
export interface FailedStep {
  job: string
  step: string | null
  logUrl: string | null
}

/** Options of {@link notifyPipelineOutcome}. */
export interface NotifyOptions {
  branch: string
  /** The pushed commit the run worked on. */
  commit: string
  /** The run record, when the pipeline got far enough to write one. */
  record: PipelineRunRecord | null
  /** The workflow run whose failed steps to name (`GITHUB_RUN_ID`). */
  runId?: number
  runUrl?: string
}

/** What {@link notifyPipelineOutcome} did. */
export interface NotifyResult {
  /** `merged`: nothing to say (the PR says it); else where the comment went. */
  action: 'none' | 'created' | 'updated'
  target: { pull: number } | { commit: string } | null
  url: string | null
  failedSteps: FailedStep[]
  body: string | null
}

/** The hidden line that finds a run's comment again. */
export function commentMarker(branch: string, commit: string): string {
  return `<!-- wms-pipeline ${branch} ${commit} -->`
}

/** The failed jobs and steps of a workflow run, each with its log link. */
export async function failedStepsOf(client: GitHubClient, runId: number): Promise<FailedStep[]> {
  const { octokit, owner, repo } = client
  const { data } = await githubCall(`list the jobs of workflow run ${String(runId)}`, 'actions: read', () =>
    octokit.rest.actions.listJobsForWorkflowRun({ owner, repo, run_id: runId, per_page: 100 }),
  )
  const failed: FailedStep[] = []
  for (const job of data.jobs) {
    if (job.conclusion !== 'failure' && job.conclusion !== 'timed_out') continue
    const step = (job.steps ?? []).find((item) => item.conclusion === 'failure')
    failed.push({
      job: job.name,
      step: step?.name ?? null,
      logUrl:
        job.html_url === null
          ? null
          : step === undefined
            ? job.html_url
            : `${job.html_url}#step:${String(step.number)}:1`,
    })
  }
  return failed
}

/** The comment's Markdown. */
export function renderPipelineComment(options: NotifyOptions, failedSteps: readonly FailedStep[]): string {
  const { record } = options
  const lines: string[] = []
  // A verdict other than `failed` (not improved, refused) is the report's to explain; the Actions step that exited 1
  // with it is not a failure to report.
  const verdict = record?.verdict ?? null
  if (verdict === null || verdict.outcome === 'failed') {
    const at = verdict?.step ?? failedSteps[0]?.job
    const what = failedSteps.length === 0 && verdict === null ? 'stopped before it finished' : 'failed'
    lines.push(`## ⚠️ The data pipeline ${what}${at === undefined ? '' : ` at ${at}`}`, '')
    for (const step of failedSteps) {
      const where = step.step === null ? `**${step.job}**` : `**${step.job}** › **${step.step}**`
      lines.push(`- ${where} failed${step.logUrl === null ? '' : ` — [log](${step.logUrl})`}`)
    }
    if (record === null) lines.push('The workflow stopped before the pipeline wrote its record (see the workflow run).')
    lines.push('')
  }
  if (record !== null) lines.push(renderRunReport(record, 60_000), '')
  if (options.runUrl !== undefined) lines.push(`[Workflow run](${options.runUrl})`, '')
  lines.push(commentMarker(options.branch, options.commit))
  return lines.join('\n')
}

/** See the module comment. */
export async function notifyPipelineOutcome(client: GitHubClient, options: NotifyOptions): Promise<NotifyResult> {
  // Merged: the PR and its merge said it all (and publish is the last step): not one call.
  if (options.record?.verdict?.outcome === 'merged')
    return { action: 'none', target: null, url: null, failedSteps: [], body: null }
  const failedSteps = options.runId === undefined ? [] : await failedStepsOf(client, options.runId)
  const body = renderPipelineComment(options, failedSteps)
  const marker = commentMarker(options.branch, options.commit)
  const { octokit, owner, repo } = client
  const { data: pulls } = await githubCall(`look up the pull request of ${options.branch}`, 'pull-requests: read', () =>
    octokit.rest.pulls.list({
      owner,
      repo,
      head: `${owner}:${publishBranchName(options.branch)}`,
      state: 'open',
      per_page: 1,
    }),
  )
  const pull = pulls[0]
  if (pull !== undefined) {
    const { data: comments } = await githubCall(
      `read the comments of PR #${String(pull.number)}`,
      'pull-requests: read',
      () => octokit.rest.issues.listComments({ owner, repo, issue_number: pull.number, per_page: 100 }),
    )
    const mine = comments.find((comment) => comment.body?.includes(marker) === true)
    const written =
      mine === undefined
        ? await githubCall(`comment on PR #${String(pull.number)}`, 'pull-requests: write', () =>
            octokit.rest.issues.createComment({ owner, repo, issue_number: pull.number, body }),
          )
        : await githubCall(`update the comment on PR #${String(pull.number)}`, 'pull-requests: write', () =>
            octokit.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body }),
          )
    return {
      action: mine === undefined ? 'created' : 'updated',
      target: { pull: pull.number },
      url: written.data.html_url,
      failedSteps,
      body,
    }
  }
  const short = options.commit.slice(0, 12)
  const { data: comments } = await githubCall(`read the comments on ${short}`, 'contents: read', () =>
    octokit.rest.repos.listCommentsForCommit({ owner, repo, commit_sha: options.commit, per_page: 100 }),
  )
  const mine = comments.find((comment) => comment.body.includes(marker))
  const written =
    mine === undefined
      ? await githubCall(`comment on commit ${short}`, 'contents: write', () =>
          octokit.rest.repos.createCommitComment({ owner, repo, commit_sha: options.commit, body }),
        )
      : await githubCall(`update the comment on commit ${short}`, 'contents: write', () =>
          octokit.rest.repos.updateCommitComment({ owner, repo, comment_id: mine.id, body }),
        )
  return {
    action: mine === undefined ? 'created' : 'updated',
    target: { commit: options.commit },
    url: written.data.html_url,
    failedSteps,
    body,
  }
}
