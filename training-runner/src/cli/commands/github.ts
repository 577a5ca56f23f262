import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import { formatDuration } from '@wms/shared/util/format'
import { gitHubClientFromEnv, workflowRunUrl } from '../../adapters/github/client-from-env.js'
import { notifyPipelineOutcome } from '../../adapters/github/pipeline-comments.js'
import { statusClientOver } from '../../adapters/github/status-client.js'
import { readRunRecord } from '../../pipeline/run-record-file.js'
import { readWorkspaceConfig } from '../../workspace/workspace-config-file.js'
import type { CommandContext, CommandOutcome } from '../context.js'

/** Options of `github notify`. */
export interface GitHubNotifyCommandOptions {
  branch: string
  commit?: string
  runId?: string
  workspace: string
}

/** Options of `github status`. */
export interface GitHubStatusCommandOptions {
  branch: string
  workspace: string
}

async function configuredRepo(root: string): Promise<string | undefined> {
  return readWorkspaceConfig(root).then(
    (config) => config.github?.repo,
    () => undefined,
  )
}

/** `training-runner github notify`: the comment a run that did not merge leaves (the workflow's always-run job). */
export async function githubNotifyCommand(
  options: GitHubNotifyCommandOptions,
  context: CommandContext,
): Promise<CommandOutcome> {
  const root = path.resolve(context.io.cwd, options.workspace)
  const env = context.io.env
  const record = (await readRunRecord(root, options.branch)) ?? null
  const commit = options.commit ?? record?.commit ?? env.GITHUB_SHA
  if (commit === undefined || commit === '') {
    throw new WmsError('usage/invalid-arguments', `No commit to comment on for ${options.branch}.`, {
      hint: 'Pass --commit <sha> (in a workflow: ${{ github.sha }}).',
    })
  }
  const runIdText = options.runId ?? env.GITHUB_RUN_ID
  const runId = runIdText === undefined || runIdText === '' ? undefined : Number(runIdText)
  if (runId !== undefined && !Number.isSafeInteger(runId)) {
    throw new WmsError('usage/invalid-arguments', `--run-id must be a number, not "${runIdText ?? ''}".`)
  }
  const client = gitHubClientFromEnv(env, await configuredRepo(root))
  const runUrl = workflowRunUrl(env)
  const result = await notifyPipelineOutcome(client, {
    branch: options.branch,
    commit,
    record,
    ...(runId === undefined ? {} : { runId }),
    ...(runUrl === undefined ? {} : { runUrl }),
  })
  const where =
    result.target === null
      ? ''
      : 'pull' in result.target
        ? `PR #${String(result.target.pull)}`
        : `commit ${commit.slice(0, 12)}`
  const human =
    result.action === 'none'
      ? `${options.branch} merged: nothing to comment.`
      : `${result.action === 'created' ? 'Commented' : 'Updated the comment'} on ${where}: ${result.url ?? ''}${result.failedSteps.map((step) => `\n  failed: ${step.job}${step.step === null ? '' : ` › ${step.step}`} ${step.logUrl ?? ''}`).join('')}`
  return { exitCode: 0, result: { ...result, requests: client.stats() }, human }
}

/** `training-runner github status --branch …`: what the app's Pipeline area shows, in a terminal. */
export async function githubStatusCommand(
  options: GitHubStatusCommandOptions,
  context: CommandContext,
): Promise<CommandOutcome> {
  const root = path.resolve(context.io.cwd, options.workspace)
  const client = gitHubClientFromEnv(context.io.env, await configuredRepo(root))
  const status = await statusClientOver(client).branchStatus(options.branch)
  const lines = [`${options.branch} on GitHub`]
  for (const run of status.runs) {
    lines.push(
      `  run #${String(run.runNumber)} ${run.name ?? run.path}: ${run.status ?? ''} ${run.conclusion ?? ''}  ${run.url}`,
    )
    for (const job of run.jobs) {
      const time = job.seconds === null ? '' : formatDuration(job.seconds)
      lines.push(`    ${job.name}: ${job.conclusion ?? job.status} ${time}`)
      for (const step of job.steps.filter((item) => item.conclusion !== 'skipped'))
        lines.push(
          `      ${String(step.number).padStart(2)} ${step.name}: ${step.conclusion ?? step.status}${step.seconds === null ? '' : ` ${formatDuration(step.seconds)}`}`,
        )
    }
  }
  const pull = status.pullRequest
  lines.push(
    pull === null
      ? '  no pull request'
      : `  PR #${String(pull.number)} ${pull.state} (checks ${pull.checksState}): ${pull.url}`,
  )
  return { exitCode: 0, result: { ...status, requests: client.stats() }, human: lines.join('\n') }
}
