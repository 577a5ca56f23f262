import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { PipelineEvent } from '@wms/shared/pipeline/events'
import { newRunRecord, runRecordName, type PipelineRunRecord } from '@wms/shared/pipeline/run-record'

/*
 * Pipeline histories for the benches, written as the local runner and the app leave them
 * (`.wms/pipeline/<branch>.json` records and `.wms/pipeline/events/<branch>.ndjson` event logs).
 */

function finishedRecord(index: number, events: number): PipelineRunRecord {
  const branch = `data/20260101-${String(100000 + index).padStart(6, '0')}`
  const started = Date.UTC(2026, 0, 1) + index * 3_600_000
  const record = newRunRecord(branch, index.toString(16).padStart(40, '0'), started)
  for (const step of ['merge', 'qa', 'train', 'gate', 'promote', 'publish'] as const)
    record.steps[step] = { status: 'ok', startedAt: started, seconds: 12, summary: `${step}: done` }
  const delta = (id: string, diceDelta: number) => ({
    id,
    candidate: { dice: 0.8 + diceDelta, iou: 0.7 + diceDelta },
    production: { dice: 0.8, iou: 0.7 },
    diceDelta,
    iouDelta: diceDelta,
  })
  Object.assign(record, {
    status: 'done',
    updatedAt: started + 600_000,
    finishedAt: started + 600_000,
    train: {
      runId: `run-${String(index)}`,
      experiment: 'bench',
      epochs: events,
      bestEpoch: events,
      counts: { train: 800, val: 100, test: 100 },
      test: { dice: 0.85, iou: 0.75 },
      backend: 'wasm',
    },
    gate: {
      schemaVersion: 1,
      pass: index % 3 !== 0,
      outcome: index % 3 !== 0 ? 'improved' : 'not-improved',
      headline: 'The candidate against production on 100 test images',
      reasons: ['Dice 0.851 vs 0.840', 'IoU 0.751 vs 0.742'],
      candidate: { runId: `run-${String(index)}`, dice: 0.851, iou: 0.751 },
      production: { via: 'alias', version: String(index), runId: 'p', dice: 0.84, iou: 0.742 },
      deltas: { dice: 0.011, iou: 0.009 },
      policy: { diceMargin: 0, iouMargin: 0, minDice: 0, minIou: 0 },
      testImages: 100,
      perImage: {
        compared: 100,
        improved: 60,
        regressed: 30,
        unchanged: 10,
        best: [1, 2, 3, 4, 5].map((n) => delta(`meter-${String(n)}`, 0.1 / n)),
        worst: [1, 2, 3, 4, 5].map((n) => delta(`meter-${String(90 + n)}`, -0.1 / n)),
      },
    },
    verdict: { outcome: 'merged', step: 'publish', headline: 'Merged', details: [], action: 'Nothing to do.' },
  })
  return record
}

/** A run's log: its steps, progress lines and one `epoch-end` per epoch, `count` events in all. */
function eventLog(branch: string, count: number): string {
  const events: PipelineEvent[] = []
  const at = Date.UTC(2026, 0, 1)
  events.push({ type: 'step-start', at, branch, step: 'merge', title: 'Merging' })
  for (let index = 0; events.length < count * 0.02; index += 1)
    events.push({ type: 'progress', at, branch, step: 'merge', done: index, total: 100, unit: 'files' })
  events.push({ type: 'step-start', at, branch, step: 'train', title: 'Training' })
  const epochs = count - events.length
  for (let epoch = 1; epoch <= epochs; epoch += 1) {
    const loss = 0.7 / Math.sqrt(epoch)
    events.push({
      type: 'epoch-end',
      at: at + epoch,
      branch,
      epoch,
      epochs,
      metrics: { train_loss: loss, val_loss: loss * 1.1, train_dice: 1 - loss, val_dice: 0.95 - loss },
      learningRate: 0.001,
      seconds: 2,
    })
  }
  return events.map((event) => JSON.stringify(event)).join('\n') + '\n'
}

/** `runs` finished runs with `eventsPerRun` events each in the workspace's pipeline folder. */
export async function writeHistory(workspace: string, runs: number, eventsPerRun: number): Promise<void> {
  const dir = path.join(workspace, '.wms', 'pipeline')
  await mkdir(path.join(dir, 'events'), { recursive: true })
  for (let index = 0; index < runs; index += 1) {
    const record = finishedRecord(index, eventsPerRun - Math.ceil(eventsPerRun * 0.02) - 2)
    await writeFile(path.join(dir, runRecordName(record.branch)), JSON.stringify(record))
    const log = path.join(dir, 'events', runRecordName(record.branch).replace(/\.json$/, '.ndjson'))
    await writeFile(log, eventLog(record.branch, eventsPerRun))
  }
}
