import { formatScore } from '@wms/shared/gate/format-numbers'
import { renderRunReport, runReportTitle } from '@wms/shared/pipeline/render-run-report'
import type { PipelineRunRecord, PublishOutput } from '@wms/shared/pipeline/run-record'
import { gitHubClientFromEnv, workflowRunUrl } from '../../adapters/github/client-from-env.js'
import { publishBranchName } from '../../adapters/github/publish-branch.js'
import { publishPullRequest, type MergeMode } from '../../adapters/github/pull-request-publisher.js'
import { prepareMainTree, type PipelineContext } from '../pipeline-context.js'
import { commitFiles, fetchBranches, MAIN_BRANCH, remoteBranchCommit } from '../pipeline-git.js'
import { openRepo, runGit } from '../../adapters/git/run-git.js'
import { currentMain, filesOnMain, promoteInto } from './model-steps.js'

/**
 * publish for a `github-actions` workspace: main is protected, so the publish commit (the same one the local runner
 * pushes to main) goes to `wms/publish/<data branch>` and reaches main through a PR — titled
 * `data: add N new training images (model improved)`, its body the run's report — that the adapter labels, marks
 * with the `wms/pipeline` status, squash-merges with the exact head SHA (or hands to GitHub's auto-merge), and then
 * deletes with the data branch. Idempotent like the rest: a rerun finds the PR, merged or not.
 */

/** Labels and merge mode from the workflow's environment (repository variables). */
function settings(env: NodeJS.ProcessEnv): { labels: string[]; merge: MergeMode } {
  const labels = (env.WMS_GITHUB_LABELS ?? 'data-update,model-improved')
    .split(',')
    .map((label) => label.trim())
    .filter((label) => label !== '')
  return { labels, merge: env.WMS_GITHUB_MERGE === 'auto' ? 'auto' : 'squash' }
}

/** The record as the PR shows it: the verdict the merge will give. */
function asImproved(record: PipelineRunRecord): PipelineRunRecord {
  return {
    ...record,
    verdict: {
      outcome: 'merged',
      step: 'publish',
      headline: `The model improved: ${record.promote?.modelName ?? 'the model'} v${record.promote?.version ?? '?'} is production.`,
      details: record.gate?.reasons ?? [],
      action: 'Nothing to do: the pipeline merges this PR (the dataset and the production model reach main together).',
    },
  }
}

/** See the module comment. `message` is the publish commit's message (with its `Data-Branch:` marker). */
export async function publishViaPullRequest(
  context: PipelineContext,
  record: PipelineRunRecord,
  message: string,
): Promise<PublishOutput> {
  const client = gitHubClientFromEnv(context.env, context.config.github?.repo, (wait) => {
    context.events.emit({
      type: 'log',
      level: 'warn',
      message: `GitHub rate limit (${wait.kind}): waiting ${String(wait.seconds)} s before ${wait.request}.`,
    })
  })
  const { labels, merge } = settings(context.env)
  const head = publishBranchName(context.branch)
  await fetchBranches(context.root, context.remote, [MAIN_BRANCH])
  const main = await currentMain(context, record, 'publish')
  await prepareMainTree(context, record, main)
  await promoteInto(context, record)
  const commit = await commitFiles(context.mainTree, filesOnMain(record), message)
  // The publish branch is the pipeline's own: replaced by each run of the data branch.
  await runGit('push', () =>
    openRepo(context.root).raw([
      'push',
      '--quiet',
      '--no-verify',
      '--force',
      context.remote,
      `${commit}:refs/heads/${head}`,
    ]),
  )
  const dataBranchAt = await remoteBranchCommit(context.root, context.remote, context.branch)
  const shown = asImproved(record)
  const [title, ...body] = message.split('\n')
  const test = record.train?.test
  const published = await publishPullRequest(client, {
    head,
    headSha: commit,
    base: MAIN_BRANCH,
    title: runReportTitle(shown),
    body: renderRunReport(shown),
    labels,
    commitTitle: title ?? runReportTitle(shown),
    commitMessage: body.join('\n').trim(),
    merge,
    statusDescription: `Gate passed: Dice ${formatScore(test?.dice)}, IoU ${formatScore(test?.iou)}`,
    ...(workflowRunUrl(context.env) === undefined ? {} : { targetUrl: workflowRunUrl(context.env) }),
    // The data branch goes too, unless someone pushed to it meanwhile.
    deleteBranches: dataBranchAt === record.commit ? [head, context.branch] : [head],
    log: (line) => {
      context.events.emit({ type: 'log', level: 'info', message: line })
    },
  })
  return {
    mainCommit: published.mergeCommit ?? commit,
    branchDeleted: published.deletedBranches.includes(context.branch),
    pullRequest: { number: published.number, url: published.url, autoMerge: published.autoMerge },
  }
}
