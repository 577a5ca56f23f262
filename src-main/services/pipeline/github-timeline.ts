import type { GateVerdict } from '@wms/shared/gate/verdict'
import type { PipelineVerdict } from '@wms/shared/pipeline/run-record'
import { epochWord, gateSummaryOf } from '@wms/shared/pipeline/timeline-from-record'
import type {
  ExternalLink,
  PipelineTimeline,
  StageStatus,
  TimelineStage,
  TimelineStageId,
} from '@wms/shared/pipeline/timeline'
import type { GitHubBranchStatus, GitHubStepStatus, GitHubWorkflowRun } from 'training-runner'
import type { TrackedRun } from './mlflow-status.js'

/**
 * A data branch's pipeline as GitHub Actions and MLflow tell it: the data-pipeline workflow's steps (named in
 * `resources/workflows/data-pipeline.yml`) give each stage's status, time and log; MLflow gives the training
 * curves and the gate's stored verdict; the pipeline's pull request gives the last stage.
 */

/** The workflow steps of each stage, by the names the workflow template gives them. */
const STEP_NAMES: Record<Exclude<TimelineStageId, 'pushed'>, RegExp> = {
  'merge-qa': /^(Merge the branch|QA over)/i,
  training: /^Train the candidate/i,
  gate: /^Gate\b/i,
  promotion: /^Promote\b/i,
  merged: /^Publish\b/i,
}

/** What the source knows of one branch. */
export interface GitHubTimelineInput {
  branch: string
  commit: string
  pushedAt: number | null
  status: GitHubBranchStatus
  tracked?: TrackedRun
  verdict?: GateVerdict
  /** The registry version the run was promoted to, once MLflow says so. */
  promotedVersion?: string
  /** Why MLflow could not be read (the curves and the verdict are missing), for the timeline's message. */
  trackingProblem?: string
  thumb?: (imageId: string) => string | null
}

function stepStatus(step: GitHubStepStatus): StageStatus {
  if (step.status === 'in_progress') return 'running'
  if (step.status !== 'completed') return 'waiting'
  if (step.conclusion === 'success') return 'done'
  if (step.conclusion === 'skipped' || step.conclusion === 'cancelled') return 'skipped'
  return 'failed'
}

/** One status for several steps: failed if any failed, running if any runs, done when all are. */
function combined(steps: GitHubStepStatus[]): StageStatus {
  const statuses = steps.map(stepStatus)
  if (statuses.length === 0) return 'waiting'
  if (statuses.includes('failed')) return 'failed'
  if (statuses.includes('running')) return 'running'
  if (statuses.every((status) => status === 'done')) return 'done'
  if (statuses.every((status) => status === 'skipped')) return 'skipped'
  return statuses.includes('done') ? 'running' : 'waiting'
}

function stageFromSteps(
  id: Exclude<TimelineStageId, 'pushed'>,
  run: GitHubWorkflowRun | undefined,
  words: Record<StageStatus, string>,
): TimelineStage {
  const steps = (run?.jobs ?? []).flatMap((job) => job.steps).filter((step) => STEP_NAMES[id].test(step.name))
  // GitHub lists a job skipped after a failed `needs` (publish after a rejected gate) with no steps at all: in a
  // finished run, a stage none of whose steps ran was skipped, not still waiting.
  const status = steps.length === 0 && run?.status === 'completed' ? 'skipped' : combined(steps)
  const first = steps.find((step) => step.startedAt !== null)
  const seconds = steps.reduce((sum, step) => sum + (step.seconds ?? 0), 0)
  const log = steps.find((step) => step.logUrl !== null)?.logUrl ?? null
  return {
    id,
    status,
    word: words[status],
    startedAt: first?.startedAt === null || first === undefined ? null : Date.parse(first.startedAt),
    seconds: steps.some((step) => step.seconds !== null) ? seconds : null,
    summary: steps.length === 0 ? null : steps.map((step) => step.name).join(' · '),
    link: log === null ? null : { href: log, label: 'Log' },
  }
}

const WORDS = (running: string, done: string, failed = 'failed'): Record<StageStatus, string> => ({
  waiting: 'waiting',
  running,
  done,
  failed,
  skipped: 'skipped',
})

function mergedStage(status: GitHubBranchStatus, run: GitHubWorkflowRun | undefined): TimelineStage {
  const publish = stageFromSteps('merged', run, WORDS('opening the PR', 'PR opened'))
  const pull = status.pullRequest
  if (pull === null) return publish.status === 'skipped' ? { ...publish, word: 'not merged' } : publish
  const link = { href: pull.url, label: `Pull request #${String(pull.number)}` }
  if (pull.state === 'merged') return { ...publish, status: 'done', word: 'PR merged', link }
  if (pull.state === 'closed') return { ...publish, status: 'failed', word: 'PR closed', link }
  return { ...publish, status: 'running', word: pull.checksState === 'failure' ? 'PR checks failed' : 'PR open', link }
}

/** How the run ended, from the workflow's conclusion, the gate's verdict and the PR. */
function verdictOf(
  input: GitHubTimelineInput,
  run: GitHubWorkflowRun | undefined,
  stages: TimelineStage[],
): PipelineVerdict | null {
  if (input.status.pullRequest?.state === 'merged')
    return {
      outcome: 'merged',
      step: 'publish',
      headline: 'The data and the model reached main',
      details: [],
      action: 'Nothing to do.',
    }
  if (run?.status !== 'completed') return null
  if (input.verdict !== undefined && !input.verdict.pass)
    return {
      outcome: 'not-improved',
      step: 'gate',
      headline: input.verdict.headline,
      details: input.verdict.reasons,
      action: 'Main is unchanged and the branch is kept: add more (or better) pairs and push again.',
    }
  const failed = stages.find((stage) => stage.status === 'failed')
  if (run.conclusion === 'success' && failed === undefined) return null
  return {
    outcome: failed?.id === 'merge-qa' ? 'refused' : 'failed',
    step: failed?.id === 'merge-qa' ? 'qa' : failed?.id === 'training' ? 'train' : 'publish',
    headline: `The workflow run ended ${run.conclusion ?? 'without a conclusion'}${failed === undefined ? '' : ` at ${failed.summary ?? failed.id}`}`,
    details: [],
    action: 'Open the step’s log for the reason; push again once it is fixed.',
  }
}

/** What the timeline says when MLflow could not be read: why, what is missing, where to fix it. */
function trackingMessage(problem: string | undefined): string | null {
  if (problem === undefined) return null
  return `MLflow could not be read (${problem.replace(/\.$/, '')}), so the training curves and the gate's verdict are missing. Check the MLflow login in Settings.`
}

/** A branch's timeline from its GitHub status (and MLflow's run and verdict, when found). */
export function timelineFromGitHub(input: GitHubTimelineInput): PipelineTimeline {
  const runs = input.status.runs
  const run = runs.find((candidate) => candidate.headSha === input.commit) ?? runs[0]
  const tracked = input.tracked
  const last = tracked?.curve.at(-1)
  const training = stageFromSteps(
    'training',
    run,
    WORDS(
      last === undefined ? 'starting' : epochWord(last.epoch, tracked?.epochs ?? null),
      // Without MLflow's run (not reachable, no login yet) the epochs are unknown, not zero.
      last === undefined ? 'trained' : `${String(last.epoch)} epochs`,
    ),
  )
  const gate = stageFromSteps('gate', run, WORDS('evaluating', 'passed', 'failed'))
  if (input.verdict !== undefined && gate.status !== 'running' && gate.status !== 'waiting') {
    Object.assign(
      gate,
      input.verdict.pass ? { status: 'done', word: 'passed' } : { status: 'failed', word: 'rejected' },
    )
  }
  const promotion = stageFromSteps(
    'promotion',
    run,
    WORDS('promoting', input.promotedVersion === undefined ? 'promoted' : `promoted v${input.promotedVersion}`),
  )
  const stages: TimelineStage[] = [
    {
      id: 'pushed',
      status: 'done',
      word: 'pushed',
      startedAt: input.pushedAt,
      seconds: null,
      summary: `commit ${input.commit.slice(0, 8)}`,
      link: null,
    },
    stageFromSteps('merge-qa', run, WORDS('checking', 'checked', 'refused')),
    training,
    gate,
    promotion.status === 'skipped' ? { ...promotion, word: 'not promoted' } : promotion,
    mergedStage(input.status, run),
  ]
  const links: ExternalLink[] = []
  if (run !== undefined) links.push({ href: run.url, label: `Workflow run #${String(run.runNumber)}` })
  if (input.status.pullRequest !== null)
    links.push({
      href: input.status.pullRequest.url,
      label: `Pull request #${String(input.status.pullRequest.number)}`,
    })
  if (tracked?.link !== null && tracked?.link !== undefined) links.push(tracked.link)
  const verdict = verdictOf(input, run, stages)
  const done = verdict !== null || run?.status === 'completed'
  return {
    branch: input.branch,
    commit: input.commit,
    pushedAt: input.pushedAt,
    updatedAt: run === undefined ? input.status.fetchedAt : Date.parse(run.updatedAt),
    finishedAt: done && run !== undefined ? Date.parse(run.updatedAt) : null,
    state: run === undefined || run.status === 'queued' ? 'queued' : done ? 'done' : 'running',
    stages,
    message: run === undefined ? 'Waiting for the workflow to start' : trackingMessage(input.trackingProblem),
    training:
      tracked === undefined
        ? null
        : { runId: tracked.runId, epoch: last?.epoch ?? 0, epochs: tracked.epochs, curve: tracked.curve },
    gate: input.verdict === undefined ? null : gateSummaryOf(input.verdict, input.thumb),
    verdict,
    links,
  }
}
