import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { execFileSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { WmsError } from '@wms/shared/errors'
import type { GateVerdict } from '@wms/shared/gate/verdict'
import { newRunRecord, runRecordName, type PipelineRunRecord } from '@wms/shared/pipeline/run-record'
import type { PipelineStatusUpdate, PipelineTimeline } from '@wms/shared/pipeline/timeline'
import { queuedTimeline } from '@wms/shared/pipeline/timeline-from-record'
import { openTrackingStore, startRun } from 'training-runner'
import { PipelineEventLog, summarizeEventLog } from './event-log.js'
import { datasetThumbPath, LocalStatusSource } from './local-status-source.js'
import { MlflowStatusReader } from './mlflow-status.js'
import { mlflowUiBase } from './pipeline-status.js'
import { StatusPoller } from './status-poller.js'
import type { PipelineStatusSource } from './status-source.js'

const BRANCH = 'data/20260101-120000'
const dirs: string[] = []
const disposers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const dispose of disposers.splice(0)) await dispose()
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wms-pipeline-status-'))
  dirs.push(dir)
  return dir
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const started = Date.now()
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

function verdict(): GateVerdict {
  const delta = (id: string, diceDelta: number) => ({
    id,
    candidate: { dice: 0.8 + diceDelta, iou: 0.7 },
    production: { dice: 0.8, iou: 0.7 },
    diceDelta,
    iouDelta: diceDelta,
  })
  return {
    schemaVersion: 1,
    pass: false,
    outcome: 'not-improved',
    headline: 'The candidate is not better than production',
    reasons: ['Dice 0.790 is not above 0.800'],
    candidate: { runId: 'run-1', dice: 0.79, iou: 0.69 },
    production: { via: 'alias', version: '1', runId: 'run-0', dice: 0.8, iou: 0.7 },
    deltas: { dice: -0.01, iou: -0.01 },
    policy: { diceMargin: 0, iouMargin: 0, minDice: 0, minIou: 0 },
    testImages: 2,
    perImage: {
      compared: 2,
      improved: 1,
      regressed: 1,
      unchanged: 0,
      best: [delta('meter-a', 0.05)],
      worst: [delta('meter-gone', -0.1)],
    },
  }
}

describe('summarizeEventLog', () => {
  it('reads the curves, the epochs and the latest message, skipping torn and foreign lines', () => {
    const lines = [
      JSON.stringify({ type: 'step-start', at: 1, branch: BRANCH, step: 'train', title: 'Training' }),
      'not json at all',
      JSON.stringify({
        type: 'epoch-end',
        at: 2,
        branch: BRANCH,
        epoch: 1,
        epochs: 3,
        metrics: { train_loss: 0.5 },
        learningRate: 1,
        seconds: 1,
      }),
      JSON.stringify({
        type: 'epoch-end',
        at: 3,
        branch: BRANCH,
        epoch: 2,
        epochs: 3,
        metrics: { train_loss: 0.4, val_dice: 0.6 },
        learningRate: 1,
        seconds: 1,
      }),
      '{"type":"epoch-end","at":4,"epo',
    ]
    const summary = summarizeEventLog(lines.join('\n'))
    expect(summary.events).toBe(3)
    expect(summary.epochs).toBe(3)
    expect(summary.message).toBe('Training')
    expect(summary.curve).toEqual([
      { epoch: 1, trainLoss: 0.5, valLoss: null, trainDice: null, valDice: null },
      { epoch: 2, trainLoss: 0.4, valLoss: null, trainDice: null, valDice: 0.6 },
    ])
  })
})

describe('LocalStatusSource', () => {
  async function workspace(): Promise<{
    root: string
    log: PipelineEventLog
    writeRecord: (record: PipelineRunRecord) => Promise<void>
  }> {
    const root = await tempDir()
    await mkdir(path.join(root, '.wms', 'pipeline'), { recursive: true })
    await mkdir(path.join(root, 'data/training/images'), { recursive: true })
    await mkdir(path.join(root, 'data/training/masks'), { recursive: true })
    await writeFile(path.join(root, 'data/training/images/meter-a.jpg'), 'jpg')
    await writeFile(path.join(root, 'data/training/masks/meter-a.png'), 'png')
    const writeRecord = async (record: PipelineRunRecord) => {
      await writeFile(path.join(root, '.wms', 'pipeline', runRecordName(record.branch)), JSON.stringify(record))
    }
    return { root, log: new PipelineEventLog(root), writeRecord }
  }

  it('builds timelines from records and the event log, answers "unchanged" until a file or the queue changes', async () => {
    const { root, log, writeRecord } = await workspace()
    let queued: string[] = []
    let running = BRANCH
    const source = new LocalStatusSource({
      workspaceRoot: root,
      datasetRoot: 'data/training',
      log,
      runnerState: () => ({ running, queued }),
    })
    const record = newRunRecord(BRANCH, 'abcdef1234', 1_000)
    record.steps.merge = { status: 'ok' }
    record.steps.qa = { status: 'ok' }
    record.steps.train = { status: 'running', startedAt: 2_000 }
    await writeRecord(record)
    log.append({ type: 'step-start', at: 2_000, branch: BRANCH, step: 'train', title: 'Training the candidate' })
    log.append({
      type: 'epoch-end',
      at: 3_000,
      branch: BRANCH,
      epoch: 1,
      epochs: 5,
      metrics: { train_loss: 0.7 },
      learningRate: 1,
      seconds: 1,
    })
    await log.flush()

    const first = await source.poll()
    expect(first).toHaveLength(1)
    const timeline = first?.[0] as PipelineTimeline
    expect(timeline.stages.find((stage) => stage.id === 'training')).toMatchObject({
      status: 'running',
      word: 'epoch 1/5',
    })
    expect(timeline.training).toMatchObject({ epoch: 1, epochs: 5, curve: [{ epoch: 1, trainLoss: 0.7 }] })
    expect(timeline.message).toBe('Training the candidate')
    expect(await source.poll()).toBeUndefined()

    // The gate decided: the record changes, its best and worst images get thumbnails when the dataset has them.
    record.steps.train = { status: 'ok' }
    record.steps.gate = { status: 'failed' }
    record.steps.promote = { status: 'skipped' }
    record.steps.publish = { status: 'skipped' }
    record.status = 'done'
    record.gate = verdict()
    await writeRecord(record)
    const second = (await source.poll())?.[0]
    expect(second?.stages.map((stage) => stage.word).slice(3)).toEqual(['rejected', 'not promoted', 'not merged'])
    expect(second?.gate?.perImage?.best[0]?.thumb).toBe(datasetThumbPath('images/meter-a.jpg'))
    expect(second?.gate?.perImage?.worst[0]?.thumb).toBeNull()

    // A branch waiting in the queue changes the answer too (it has no record: git is asked for its commit).
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: root, encoding: 'utf8' })
    git('init', '-q', '-b', 'main')
    git('commit', '-q', '--allow-empty', '-m', 'data: add 1 pair')
    git('branch', 'data/20260101-130000')
    queued = ['data/20260101-130000']
    const third = await source.poll()
    expect(third?.map((item) => [item.branch, item.state])).toEqual([
      ['data/20260101-130000', 'queued'],
      [BRANCH, 'done'],
    ])
    expect(third?.[0]?.commit).toBe(git('rev-parse', 'HEAD').trim())
    // Taken from the queue, before its CLI wrote a record: it shows as starting, not gone.
    queued = []
    running = 'data/20260101-130000'
    const fourth = await source.poll()
    expect(fourth?.[0]).toMatchObject({ state: 'running', message: 'Starting the pipeline…' })
  })

  it('answers again when another MLflow account is saved (its server may hold the curves)', async () => {
    const { root, log, writeRecord } = await workspace()
    let account = 'workspace'
    const source = new LocalStatusSource({
      workspaceRoot: root,
      datasetRoot: 'data/training',
      log,
      runnerState: () => ({ running: null, queued: [] }),
      tracking: new MlflowStatusReader(
        () => Promise.reject(new Error('no MLflow here')),
        () => Promise.resolve(account),
      ),
    })
    await writeRecord(newRunRecord(BRANCH, 'abcdef1234', 1_000))
    expect(await source.poll()).toHaveLength(1)
    expect(await source.poll()).toBeUndefined()
    account = 'https://mlflow.mine.example'
    expect(await source.poll()).toHaveLength(1)
  })
})

describe('MlflowStatusReader on a real MLflow FileStore', () => {
  it('reads a run’s curves and the verdict stored with it, and reads a finished run only once', async () => {
    const root = await tempDir()
    const store = openTrackingStore({ uri: 'file:mlruns' }, { workspaceRoot: root })
    const logger = await startRun(store, { experiment: 'wms', tags: { 'wms.git.branch': BRANCH } })
    await logger.logParams({ epochs: 2 })
    await logger.logMetrics({ train_loss: 0.6, val_loss: 0.7, train_dice: 0.5, val_dice: 0.4 }, 1)
    await logger.logMetrics({ train_loss: 0.5, val_loss: 0.6, train_dice: 0.6, val_dice: 0.5 }, 2)
    let opened = 0
    const reader = new MlflowStatusReader(() => {
      opened += 1
      return Promise.resolve({ store, uiBase: 'https://mlflow.example' })
    })
    const running = await reader.run(logger.runId)
    expect(running).toMatchObject({ running: true, epochs: 2, branch: BRANCH })
    expect(running.curve).toEqual([
      { epoch: 1, trainLoss: 0.6, valLoss: 0.7, trainDice: 0.5, valDice: 0.4 },
      { epoch: 2, trainLoss: 0.5, valLoss: 0.6, trainDice: 0.6, valDice: 0.5 },
    ])
    expect(running.link?.href).toBe(`https://mlflow.example/#/experiments/${logger.experimentId}/runs/${logger.runId}`)
    expect(await reader.gateVerdict(logger.runId)).toBeUndefined()

    await logger.logText('gate/verdict.json', JSON.stringify(verdict()))
    await logger.finish('FINISHED')
    expect((await reader.gateVerdict(logger.runId))?.headline).toBe(verdict().headline)
    expect((await reader.run(logger.runId)).running).toBe(false)
    // Finished: the store is not asked again (a deleted run folder would otherwise fail the next look).
    await rm(path.join(root, 'mlruns'), { recursive: true, force: true })
    expect((await reader.run(logger.runId)).curve).toHaveLength(2)
    expect(opened).toBe(1)
  })

  it('links only to http(s) servers, without credentials', () => {
    expect(mlflowUiBase('https://bob:secret@mlflow.example/prefix/')).toBe('https://mlflow.example/prefix')
    expect(mlflowUiBase('file:../mlruns')).toBeNull()
  })
})

describe('StatusPoller', () => {
  /** A source that answers what the test scripts: timelines, "unchanged", or a failure. */
  function scriptedSource(script: (() => PipelineTimeline[] | undefined)[]): PipelineStatusSource & { polls: number } {
    const source = {
      kind: 'local' as const,
      label: 'scripted',
      intervalMs: 10,
      polls: 0,
      poll: () => {
        const step = script[Math.min(source.polls, script.length - 1)]
        source.polls += 1
        // A step that throws becomes a rejected look, as a source's failed request would.
        return Promise.resolve().then(() => step?.())
      },
    }
    return source
  }
  const offline = () => {
    throw new WmsError('tracking/unavailable', 'MLflow did not answer', { retryable: true })
  }

  it('keeps the last known state offline, backs off, and says when it is live again', async () => {
    const dir = await tempDir()
    const cacheFile = path.join(dir, 'cache', 'status.json')
    const one = queuedTimeline(BRANCH, 'abc', 1, 2)
    const updates: PipelineStatusUpdate[] = []
    let now = 1_000
    const source = scriptedSource([() => [one], offline, offline, offline, () => undefined])
    const poller = new StatusPoller({ source, cacheFile, onUpdate: (update) => updates.push(update), now: () => now })
    disposers.push(() => poller.dispose())
    await poller.start()
    await until('the first look', () => updates[0])
    expect(updates[0]).toMatchObject({
      changed: [one],
      removed: [],
      freshness: { freshness: 'live', lastSuccessAt: 1_000 },
    })

    now = 2_000
    const failed = await until('a failed look', () => updates.find((update) => update.freshness.error !== null))
    expect(failed.freshness).toMatchObject({
      freshness: 'offline',
      lastSuccessAt: 1_000,
      error: { code: 'tracking/unavailable' },
    })
    // Twice as long after each failure in a row: 20 ms, 40 ms, 80 ms.
    const waits = await until('three failures', () => {
      const errors = updates.filter((update) => update.freshness.error !== null)
      return errors.length >= 3 ? errors.map((update) => (update.freshness.nextPollAt ?? 0) - now) : undefined
    })
    expect(waits).toEqual([20, 40, 80])
    expect(poller.status().timelines).toEqual([one])
    const back = await until('going back online', () =>
      updates.at(-1)?.freshness.freshness === 'live' ? updates.at(-1) : undefined,
    )
    expect(back).toMatchObject({ changed: [], removed: [] })
    expect(JSON.parse(await readFile(cacheFile, 'utf8'))).toMatchObject({ lastSuccessAt: 1_000, timelines: [one] })
    await poller.dispose()

    // The next start cannot reach the source: it shows the cached state, offline, with its age.
    const restarted = new StatusPoller({
      source: scriptedSource([offline]),
      cacheFile,
      onUpdate: () => undefined,
      now: () => now,
    })
    disposers.push(() => restarted.dispose())
    await restarted.start()
    expect(restarted.status()).toMatchObject({
      timelines: [one],
      freshness: { freshness: 'offline', lastSuccessAt: 1_000 },
    })
  })

  it('pushes only the timelines that changed, and the branches that went away', async () => {
    const dir = await tempDir()
    const a = queuedTimeline('data/a', 'a', 1, 1)
    const b = queuedTimeline('data/b', 'b', 2, 2)
    const b2 = { ...b, message: 'moved on' }
    const updates: PipelineStatusUpdate[] = []
    const source = scriptedSource([() => [a, b], () => [a, b2], () => [b2]])
    const poller = new StatusPoller({
      source,
      cacheFile: path.join(dir, 's.json'),
      onUpdate: (update) => updates.push(update),
    })
    disposers.push(() => poller.dispose())
    await poller.start()
    await until('three updates', () => (updates.length >= 3 ? updates : undefined))
    expect(updates.map((update) => [update.changed.map((item) => item.message), update.removed])).toEqual([
      [[a.message, b.message], []],
      [['moved on'], []],
      [[], ['data/a']],
    ])
    expect((await poller.refresh()).timelines).toEqual([b2])
  })
})
