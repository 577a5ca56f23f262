import { METRIC_NAMES } from '../tracking/metrics.js'
import type { PipelineEvent, PipelineStep } from './events.js'
import { epochWord } from './timeline-from-record.js'
import type { CurvePoint, PipelineTimeline, StageStatus, TimelineStage, TimelineStageId } from './timeline.js'

/**
 * Live pipeline events applied to a timeline: the renderer advances a branch's timeline as each event arrives
 * (epochs, curves, the gate's verdict) between the status source's polls, which stay the authority on what a
 * run recorded. Pure: a timeline and an event in, a new timeline (or the same one when nothing changed) out.
 */

/** The timeline stage a pipeline step belongs to (`push` and single commands have none). */
const STAGE_OF: Partial<Record<PipelineStep, TimelineStageId>> = {
  merge: 'merge-qa',
  qa: 'merge-qa',
  train: 'training',
  evaluate: 'gate',
  gate: 'gate',
  promote: 'promotion',
  publish: 'merged',
}

const RUNNING_WORD: Partial<Record<PipelineStep, string>> = {
  merge: 'merging',
  qa: 'checking',
  train: 'starting',
  evaluate: 'evaluating',
  gate: 'evaluating',
  promote: 'promoting',
  publish: 'merging',
}

const metric = (metrics: Record<string, number>, key: string): number | null => metrics[key] ?? null

/** One epoch's logged metrics as a curve point. */
export function curvePointOf(epoch: number, metrics: Record<string, number>): CurvePoint {
  return {
    epoch,
    trainLoss: metric(metrics, METRIC_NAMES.trainLoss),
    valLoss: metric(metrics, METRIC_NAMES.valLoss),
    trainDice: metric(metrics, METRIC_NAMES.trainDice),
    valDice: metric(metrics, METRIC_NAMES.valDice),
  }
}

/** Adds (or, for an epoch logged again after a resume, replaces) one point, keeping epochs in order. */
export function withCurvePoint(curve: readonly CurvePoint[], point: CurvePoint): CurvePoint[] {
  const last = curve.at(-1)
  if (last === undefined || last.epoch < point.epoch) return [...curve, point]
  // A resumed training logs its epochs again from its checkpoint: the new values win.
  return [...curve.filter((item) => item.epoch < point.epoch), point]
}

function updateStage(
  timeline: PipelineTimeline,
  id: TimelineStageId,
  change: (stage: TimelineStage) => Partial<TimelineStage>,
): TimelineStage[] {
  return timeline.stages.map((stage) => (stage.id === id ? { ...stage, ...change(stage) } : stage))
}

function stageOf(timeline: PipelineTimeline, id: TimelineStageId): TimelineStage | undefined {
  return timeline.stages.find((stage) => stage.id === id)
}

type StepEnd = Extract<PipelineEvent, { type: 'step-end' }>

/** The stage after a step ended: merge ending leaves merge & QA running until QA ends. */
function endedStage(timeline: PipelineTimeline, event: StepEnd, id: TimelineStageId): Partial<TimelineStage> {
  const current = stageOf(timeline, id)
  const times = { seconds: event.seconds, summary: event.summary ?? current?.summary ?? null }
  if (event.status === 'cancelled') return { status: 'waiting', word: 'interrupted' }
  if (event.status === 'skipped') return { status: 'skipped', word: 'skipped', ...times }
  if (event.status === 'failed') {
    const word = id === 'gate' && timeline.gate?.pass === false ? 'rejected' : id === 'merge-qa' ? 'refused' : 'failed'
    return { status: 'failed', word, ...times }
  }
  const done: Record<TimelineStageId, () => Partial<TimelineStage>> = {
    pushed: () => ({ status: 'done', word: 'pushed' }),
    'merge-qa': () => (event.step === 'qa' ? { status: 'done', word: 'checked', ...times } : { word: 'checking' }),
    training: () => ({ status: 'done', word: `${String(timeline.training?.epoch ?? 0)} epochs`, ...times }),
    gate: () =>
      timeline.gate === null
        ? { status: 'done', word: 'decided', ...times }
        : { ...times, status: current?.status ?? 'done' },
    promotion: () => ({ status: 'done', word: 'promoted', ...times }),
    merged: () => ({ status: 'done', word: 'merged', ...times }),
  }
  return done[id]()
}

type Handler<T extends PipelineEvent['type']> = (
  timeline: PipelineTimeline,
  event: Extract<PipelineEvent, { type: T }>,
) => PipelineTimeline

const onStepStart: Handler<'step-start'> = (timeline, event) => {
  const id = STAGE_OF[event.step]
  const base = { ...timeline, state: 'running' as const, message: event.title, updatedAt: event.at }
  if (id === undefined) return base
  const status: StageStatus = 'running'
  return {
    ...base,
    stages: updateStage(timeline, id, (stage) => ({
      status,
      word: RUNNING_WORD[event.step] ?? 'running',
      startedAt: stage.startedAt ?? event.at,
    })),
  }
}

const onEpochEnd: Handler<'epoch-end'> = (timeline, event) => {
  const point = curvePointOf(event.epoch, event.metrics)
  const loss = point.trainLoss === null ? '' : `, loss ${point.trainLoss.toFixed(4)}`
  return {
    ...timeline,
    state: 'running',
    updatedAt: event.at,
    message: `Training: ${epochWord(event.epoch, event.epochs)}${loss}`,
    training: {
      runId: timeline.training?.runId ?? null,
      epoch: event.epoch,
      epochs: event.epochs,
      curve: withCurvePoint(timeline.training?.curve ?? [], point),
    },
    stages: updateStage(timeline, 'training', () => ({
      status: 'running',
      word: epochWord(event.epoch, event.epochs),
    })),
  }
}

const onGate: Handler<'gate'> = (timeline, event) => ({
  ...timeline,
  updatedAt: event.at,
  gate: {
    pass: event.pass,
    outcome: null,
    headline: event.headline,
    reasons: event.reasons,
    candidate: {
      runId: event.candidate?.runId ?? null,
      dice: event.candidate?.dice ?? null,
      iou: event.candidate?.iou ?? null,
    },
    production: event.baseline ?? null,
    testImages: null,
    // The per-image deltas come with the stored verdict, at the next look at the source.
    perImage: timeline.gate?.perImage ?? null,
  },
  stages: updateStage(timeline, 'gate', () => ({
    status: event.pass ? 'done' : 'failed',
    word: event.pass ? 'passed' : 'rejected',
  })),
})

/** Applies one live event to a branch's timeline. */
export function applyTimelineEvent(timeline: PipelineTimeline, event: PipelineEvent): PipelineTimeline {
  switch (event.type) {
    case 'step-start':
      return onStepStart(timeline, event)
    case 'epoch-end':
      return onEpochEnd(timeline, event)
    case 'gate':
      return onGate(timeline, event)
    case 'step-end': {
      const id = STAGE_OF[event.step]
      if (id === undefined) return timeline
      return {
        ...timeline,
        updatedAt: event.at,
        stages: updateStage(timeline, id, () => endedStage(timeline, event, id)),
      }
    }
    case 'progress': {
      const message =
        event.message ??
        `${String(event.done)}${event.total === undefined ? '' : `/${String(event.total)}`} ${event.unit}`
      return message === timeline.message ? timeline : { ...timeline, message, updatedAt: event.at }
    }
    case 'log':
      return { ...timeline, message: event.message, updatedAt: event.at }
    case 'error':
      return { ...timeline, message: event.error.message, updatedAt: event.at }
    case 'done':
      return {
        ...timeline,
        state: event.status === 'cancelled' ? 'interrupted' : 'done',
        finishedAt: event.status === 'cancelled' ? null : event.at,
        updatedAt: event.at,
        message: null,
      }
    case 'metric':
      return timeline
  }
}
