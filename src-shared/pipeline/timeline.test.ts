import { describe, expect, it } from 'vitest'
import type { GateVerdict } from '../gate/verdict.js'
import type { PipelineEvent } from './events.js'
import { newRunRecord, type PipelineRunRecord } from './run-record.js'
import { applyTimelineEvent, withCurvePoint } from './timeline-events.js'
import { queuedTimeline, timelineFromRecord } from './timeline-from-record.js'
import { PipelineTimelineSchema, type PipelineTimeline } from './timeline.js'

const BRANCH = 'data/20260101-120000'

function verdict(pass: boolean): GateVerdict {
  const delta = (id: string, diceDelta: number) => ({
    id,
    candidate: { dice: 0.8 + diceDelta, iou: 0.7 },
    production: { dice: 0.8, iou: 0.7 },
    diceDelta,
    iouDelta: diceDelta,
  })
  return {
    schemaVersion: 1,
    pass,
    outcome: pass ? 'improved' : 'not-improved',
    headline: pass ? 'The candidate is better' : 'The candidate is not better',
    reasons: ['Dice 0.81 vs 0.80'],
    candidate: { runId: 'run-1', dice: 0.81, iou: 0.71 },
    production: { via: 'alias', version: '2', runId: 'run-0', dice: 0.8, iou: 0.7 },
    deltas: { dice: 0.01, iou: 0.01 },
    policy: { diceMargin: 0, iouMargin: 0, minDice: 0, minIou: 0 },
    testImages: 3,
    perImage: {
      compared: 3,
      improved: 2,
      regressed: 1,
      unchanged: 0,
      best: [delta('meter-1', 0.1)],
      worst: [delta('meter-9', -0.2)],
    },
  }
}

function record(change: (record: PipelineRunRecord) => void): PipelineRunRecord {
  const base = newRunRecord(BRANCH, 'abcdef1234567890', 1_000)
  change(base)
  return base
}

const words = (timeline: PipelineTimeline) =>
  timeline.stages.map((stage) => `${stage.id}:${stage.status}:${stage.word}`)

describe('timelineFromRecord', () => {
  it('draws a finished, promoted run with its curve, verdict and thumbnails', () => {
    const done = record((run) => {
      for (const step of ['merge', 'qa', 'train', 'gate', 'promote', 'publish'] as const)
        run.steps[step] = { status: 'ok', startedAt: 2_000, seconds: 3, summary: `${step} ok` }
      run.status = 'done'
      run.finishedAt = 90_000
      run.train = {
        runId: 'run-1',
        experiment: 'x',
        epochs: 2,
        bestEpoch: 2,
        counts: { train: 8, val: 1, test: 3 },
        test: { dice: 0.81, iou: 0.71 },
        backend: 'wasm',
      }
      run.gate = verdict(true)
      run.promote = { modelName: 'm', version: '3', previousVersion: '2', promotedAt: 'now' }
      run.verdict = { outcome: 'merged', step: 'publish', headline: 'Merged', details: [], action: 'Nothing to do.' }
    })
    const curve = [{ epoch: 1, trainLoss: 0.5, valLoss: 0.6, trainDice: 0.4, valDice: 0.3 }]
    const timeline = timelineFromRecord(done, {
      pushedAt: 500,
      curve,
      thumb: (id) => (id === 'meter-1' ? `dataset/images%2F${id}.jpg/thumb` : null),
    })
    expect(PipelineTimelineSchema.parse(timeline)).toEqual(timeline)
    expect(words(timeline)).toEqual([
      'pushed:done:pushed',
      'merge-qa:done:checked',
      'training:done:2 epochs',
      'gate:done:passed',
      'promotion:done:promoted v3',
      'merged:done:merged into main',
    ])
    expect(timeline.stages[1]?.seconds).toBe(6)
    expect(timeline.gate?.perImage?.best[0]?.thumb).toBe('dataset/images%2Fmeter-1.jpg/thumb')
    expect(timeline.gate?.perImage?.worst[0]?.thumb).toBeNull()
    expect(timeline.training).toMatchObject({ runId: 'run-1', epochs: 2, curve })
    expect(timeline.pushedAt).toBe(500)
  })

  it('draws a rejected run: the gate failed, promotion and merge skipped', () => {
    const rejected = record((run) => {
      run.steps.merge = { status: 'ok' }
      run.steps.qa = { status: 'ok' }
      run.steps.train = { status: 'ok' }
      run.steps.gate = { status: 'failed', summary: 'not better' }
      run.steps.promote = { status: 'skipped' }
      run.steps.publish = { status: 'skipped' }
      run.gate = verdict(false)
      run.status = 'done'
    })
    expect(words(timelineFromRecord(rejected)).slice(3)).toEqual([
      'gate:failed:rejected',
      'promotion:skipped:not promoted',
      'merged:skipped:not merged',
    ])
  })

  it.each([
    ['a refused merge', { merge: 'failed' }, 'merge-qa:failed:refused'],
    ['failed QA', { merge: 'ok', qa: 'failed' }, 'merge-qa:failed:QA failed'],
    ['a running merge', { merge: 'running' }, 'merge-qa:running:merging'],
    ['QA next', { merge: 'ok' }, 'merge-qa:running:checking'],
  ] as const)('says %s in the merge & QA stage', (_label, steps, expected) => {
    const run = record((item) => {
      for (const [step, status] of Object.entries(steps)) item.steps[step as 'merge'] = { status }
    })
    expect(words(timelineFromRecord(run))[1]).toBe(expected)
  })

  it('shows an interrupted run as waiting for its resume, not as running', () => {
    const run = record((item) => {
      item.status = 'interrupted'
      item.steps.merge = { status: 'ok' }
      item.steps.qa = { status: 'ok' }
      item.steps.train = { status: 'running' }
    })
    expect(words(timelineFromRecord(run))[2]).toBe('training:waiting:interrupted')
  })

  it('draws a queued branch with only its push done', () => {
    const timeline = queuedTimeline(BRANCH, 'abc', 5, 6)
    expect(PipelineTimelineSchema.parse(timeline)).toEqual(timeline)
    expect(timeline.stages.filter((stage) => stage.status === 'done').map((stage) => stage.id)).toEqual(['pushed'])
  })
})

describe('applyTimelineEvent', () => {
  const at = 10_000
  const start = timelineFromRecord(record(() => undefined))
  const run = (events: PipelineEvent[]) => events.reduce(applyTimelineEvent, start)

  it('advances through every stage to a verdict', () => {
    const timeline = run([
      { type: 'step-start', at, step: 'merge', title: 'Merging' },
      { type: 'step-end', at, step: 'merge', status: 'ok', seconds: 1 },
      { type: 'step-start', at, step: 'qa', title: 'QA' },
      { type: 'step-end', at, step: 'qa', status: 'ok', seconds: 1 },
      { type: 'step-start', at, step: 'train', title: 'Training' },
      { type: 'epoch-end', at, epoch: 1, epochs: 2, metrics: { train_loss: 0.5 }, learningRate: 1, seconds: 1 },
      {
        type: 'epoch-end',
        at,
        epoch: 2,
        epochs: 2,
        metrics: { train_loss: 0.4, val_dice: 0.7 },
        learningRate: 1,
        seconds: 1,
      },
      { type: 'step-end', at, step: 'train', status: 'ok', seconds: 2 },
      { type: 'step-start', at, step: 'gate', title: 'Gate' },
      { type: 'gate', at, pass: true, headline: 'Better', reasons: ['r'] },
      { type: 'step-end', at, step: 'gate', status: 'ok', seconds: 1 },
      { type: 'step-start', at, step: 'promote', title: 'Promote' },
      { type: 'step-end', at, step: 'promote', status: 'ok', seconds: 1 },
      { type: 'step-start', at, step: 'publish', title: 'Publish' },
      { type: 'step-end', at, step: 'publish', status: 'ok', seconds: 1 },
      { type: 'done', at: at + 5, status: 'ok', seconds: 9 },
    ])
    expect(words(timeline)).toEqual([
      'pushed:done:pushed',
      'merge-qa:done:checked',
      'training:done:2 epochs',
      'gate:done:passed',
      'promotion:done:promoted',
      'merged:done:merged',
    ])
    expect(timeline.training?.curve.map((point) => point.trainLoss)).toEqual([0.5, 0.4])
    expect(timeline.training?.curve[1]?.valDice).toBe(0.7)
    expect(timeline).toMatchObject({ state: 'done', finishedAt: at + 5, message: null })
    expect(PipelineTimelineSchema.parse(timeline)).toEqual(timeline)
  })

  it('marks the gate rejected when the candidate is not better', () => {
    const timeline = run([
      { type: 'step-start', at, step: 'gate', title: 'Gate' },
      { type: 'gate', at, pass: false, headline: 'Not better', reasons: ['Dice 0.7 vs 0.8'] },
      { type: 'step-end', at, step: 'gate', status: 'failed', seconds: 1 },
    ])
    expect(words(timeline)[3]).toBe('gate:failed:rejected')
    expect(timeline.gate).toMatchObject({ pass: false, reasons: ['Dice 0.7 vs 0.8'], perImage: null })
  })

  it('shows live epoch progress on the training stage', () => {
    const timeline = run([
      { type: 'step-start', at, step: 'train', title: 'Training' },
      { type: 'epoch-end', at, epoch: 3, epochs: 10, metrics: { train_loss: 0.25 }, learningRate: 1, seconds: 1 },
    ])
    expect(words(timeline)[2]).toBe('training:running:epoch 3/10')
    expect(timeline.message).toBe('Training: epoch 3/10, loss 0.2500')
  })

  it('keeps the same timeline for a progress message it already shows', () => {
    const once = applyTimelineEvent(start, {
      type: 'progress',
      at,
      step: 'merge',
      done: 1,
      unit: 'files',
      message: 'x',
    })
    expect(
      applyTimelineEvent(once, { type: 'progress', at, step: 'merge', done: 2, unit: 'files', message: 'x' }),
    ).toBe(once)
  })

  it('replaces epochs a resumed training logs again', () => {
    const point = (epoch: number, trainLoss: number) => ({
      epoch,
      trainLoss,
      valLoss: null,
      trainDice: null,
      valDice: null,
    })
    expect(withCurvePoint([point(1, 0.9), point(2, 0.8), point(3, 0.7)], point(2, 0.5))).toEqual([
      point(1, 0.9),
      point(2, 0.5),
    ])
  })
})
