import type { GateVerdict, ImageDelta } from '../gate/verdict.js'
import type { PipelineRunRecord, StepState } from './run-record.js'
import type {
  CurvePoint,
  ExternalLink,
  GateSummary,
  ImageDeltaView,
  PipelineTimeline,
  StageStatus,
  TimelineStage,
  TimelineStageId,
} from './timeline.js'

/** What a source knows beyond the run record: when the branch was pushed, the curves, thumbnails, links. */
export interface TimelineExtras {
  pushedAt?: number | null
  /** The training curves as logged (the event log, or MLflow's metric history). */
  curve?: CurvePoint[]
  /** Epochs the training runs for (the last `epoch-end` event says), while it runs. */
  epochs?: number | null
  /** The latest thing the run said. */
  message?: string | null
  /** The media path of a test image's thumbnail by its id, or null when the picture is not here. */
  thumb?: (imageId: string) => string | null
  /** Links for stages (a workflow job, a PR) and for the whole run. */
  stageLinks?: Partial<Record<TimelineStageId, ExternalLink>>
  links?: ExternalLink[]
  /** Words for the last stage: the local runner commits to main, GitHub merges a PR. */
  mergedWord?: string
}

function stage(
  id: TimelineStageId,
  status: StageStatus,
  word: string,
  state: Partial<StepState> = {},
  link: ExternalLink | null = null,
): TimelineStage {
  return {
    id,
    status,
    word,
    startedAt: state.startedAt ?? null,
    seconds: state.seconds ?? null,
    summary: state.summary ?? null,
    link,
  }
}

const STATUS_OF: Record<StepState['status'], StageStatus> = {
  pending: 'waiting',
  running: 'running',
  ok: 'done',
  failed: 'failed',
  skipped: 'skipped',
}

/** Merge and QA as one stage: failed if either failed, running if either runs, done when both are. */
function mergeQaStage(record: PipelineRunRecord, link: ExternalLink | null): TimelineStage {
  const { merge, qa } = record.steps
  const summary = [merge.summary, qa.summary].filter((text) => text !== undefined).join(' · ') || undefined
  const times = {
    startedAt: merge.startedAt ?? qa.startedAt,
    seconds:
      merge.seconds === undefined && qa.seconds === undefined ? undefined : (merge.seconds ?? 0) + (qa.seconds ?? 0),
    summary,
  }
  if (merge.status === 'failed') return stage('merge-qa', 'failed', 'refused', times, link)
  if (qa.status === 'failed') return stage('merge-qa', 'failed', 'QA failed', times, link)
  if (merge.status === 'running') return stage('merge-qa', 'running', 'merging', times, link)
  if (qa.status === 'running' || (merge.status === 'ok' && qa.status === 'pending'))
    return stage('merge-qa', 'running', 'checking', times, link)
  if (qa.status === 'ok') return stage('merge-qa', 'done', 'checked', times, link)
  if (merge.status === 'skipped') return stage('merge-qa', 'skipped', 'skipped', times, link)
  return stage('merge-qa', 'waiting', 'waiting', times, link)
}

function trainingStage(
  record: PipelineRunRecord,
  curve: CurvePoint[],
  total: number | null,
  link: ExternalLink | null,
): TimelineStage {
  const step = record.steps.train
  const status = STATUS_OF[step.status]
  const last = curve.at(-1)
  const epochs = record.train?.epochs
  const words: Record<StageStatus, string> = {
    waiting: 'waiting',
    running: last === undefined ? 'starting' : epochWord(last.epoch, total),
    done: epochs === undefined ? 'trained' : `${String(epochs)} epochs`,
    failed: 'failed',
    skipped: 'skipped',
  }
  return stage('training', status, words[status], step, link)
}

function gateStage(record: PipelineRunRecord, link: ExternalLink | null): TimelineStage {
  const step = record.steps.gate
  if (record.gate !== null && (step.status === 'ok' || step.status === 'failed')) {
    return stage('gate', record.gate.pass ? 'done' : 'failed', record.gate.pass ? 'passed' : 'rejected', step, link)
  }
  return stage(
    'gate',
    STATUS_OF[step.status],
    step.status === 'running' ? 'evaluating' : STATUS_OF[step.status],
    step,
    link,
  )
}

function promotionStage(record: PipelineRunRecord, link: ExternalLink | null): TimelineStage {
  const step = record.steps.promote
  if (step.status === 'ok') return stage('promotion', 'done', `promoted v${record.promote?.version ?? '?'}`, step, link)
  if (step.status === 'skipped') return stage('promotion', 'skipped', 'not promoted', step, link)
  return stage(
    'promotion',
    STATUS_OF[step.status],
    step.status === 'running' ? 'promoting' : STATUS_OF[step.status],
    step,
    link,
  )
}

function mergedStage(record: PipelineRunRecord, mergedWord: string, link: ExternalLink | null): TimelineStage {
  const step = record.steps.publish
  if (step.status === 'ok') return stage('merged', 'done', mergedWord, step, link)
  if (step.status === 'skipped') return stage('merged', 'skipped', 'not merged', step, link)
  return stage(
    'merged',
    STATUS_OF[step.status],
    step.status === 'running' ? 'merging' : STATUS_OF[step.status],
    step,
    link,
  )
}

/** `epoch 3/10`, or `epoch 3` while the total is unknown. */
export function epochWord(epoch: number, epochs: number | null): string {
  return epochs === null ? `epoch ${String(epoch)}` : `epoch ${String(epoch)}/${String(epochs)}`
}

/** The per-image deltas with their thumbnails. */
function deltaViews(deltas: ImageDelta[], thumb: (id: string) => string | null): ImageDeltaView[] {
  return deltas.map((delta) => ({ ...delta, thumb: thumb(delta.id) }))
}

/** The gate's stored verdict as the timeline shows it. */
export function gateSummaryOf(verdict: GateVerdict, thumb: (id: string) => string | null = () => null): GateSummary {
  return {
    pass: verdict.pass,
    outcome: verdict.outcome,
    headline: verdict.headline,
    reasons: verdict.reasons,
    candidate: { runId: verdict.candidate.runId, dice: verdict.candidate.dice, iou: verdict.candidate.iou },
    production:
      verdict.production === null
        ? null
        : { version: verdict.production.version, dice: verdict.production.dice, iou: verdict.production.iou },
    testImages: verdict.testImages,
    perImage:
      verdict.perImage === null
        ? null
        : {
            compared: verdict.perImage.compared,
            improved: verdict.perImage.improved,
            regressed: verdict.perImage.regressed,
            best: deltaViews(verdict.perImage.best, thumb),
            worst: deltaViews(verdict.perImage.worst, thumb),
          },
  }
}

/** A run record (the local runner's, or one a CI job left) as a timeline. */
export function timelineFromRecord(record: PipelineRunRecord, extras: TimelineExtras = {}): PipelineTimeline {
  const curve = extras.curve ?? []
  const links = extras.stageLinks ?? {}
  const pushedAt = extras.pushedAt ?? null
  const pushed = stage(
    'pushed',
    'done',
    'pushed',
    { startedAt: pushedAt ?? record.startedAt, summary: `commit ${record.commit.slice(0, 8)}` },
    links.pushed ?? null,
  )
  const stages = [
    pushed,
    mergeQaStage(record, links['merge-qa'] ?? null),
    trainingStage(record, curve, extras.epochs ?? null, links.training ?? null),
    gateStage(record, links.gate ?? null),
    promotionStage(record, links.promotion ?? null),
    mergedStage(record, extras.mergedWord ?? 'merged into main', links.merged ?? null),
  ]
  if (record.status === 'interrupted') {
    // Nothing was decided: the step that was running waits for the resume.
    for (const item of stages)
      if (item.status === 'running') Object.assign(item, { status: 'waiting', word: 'interrupted' })
  }
  const runId = record.train?.runId ?? record.mlflowRunId
  const trained = record.train !== null || record.steps.train.status !== 'pending' || curve.length > 0
  return {
    branch: record.branch,
    commit: record.commit,
    pushedAt,
    updatedAt: record.updatedAt,
    finishedAt: record.finishedAt,
    state: record.status,
    stages,
    message: record.status === 'running' ? (extras.message ?? null) : null,
    training: trained
      ? {
          runId,
          epoch: curve.at(-1)?.epoch ?? record.train?.epochs ?? 0,
          epochs: record.train?.epochs ?? extras.epochs ?? null,
          curve,
        }
      : null,
    gate: record.gate === null ? null : gateSummaryOf(record.gate, extras.thumb),
    verdict: record.verdict,
    links: extras.links ?? [],
  }
}

/** A branch that was pushed and waits for its turn (no run record yet). */
export function queuedTimeline(branch: string, commit: string, pushedAt: number | null, now: number): PipelineTimeline {
  const waiting = (id: TimelineStageId): TimelineStage => stage(id, 'waiting', 'waiting')
  return {
    branch,
    commit,
    pushedAt,
    updatedAt: now,
    finishedAt: null,
    state: 'queued',
    stages: [
      stage('pushed', 'done', 'pushed', { startedAt: pushedAt ?? undefined, summary: `commit ${commit.slice(0, 8)}` }),
      ...(['merge-qa', 'training', 'gate', 'promotion', 'merged'] as const).map(waiting),
    ],
    message: 'Queued: waits for the run before it',
    training: null,
    gate: null,
    verdict: null,
    links: [],
  }
}
