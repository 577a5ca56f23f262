import { describe, expect, it } from 'vitest'
import { parseNdjsonLine, toNdjsonLine, type PipelineEvent } from './events.js'

describe('pipeline events as NDJSON', () => {
  const events: PipelineEvent[] = [
    { type: 'step-start', at: 1, step: 'qa', title: 'Checking 20 pairs' },
    { type: 'progress', at: 2, step: 'push', done: 512, total: 1024, unit: 'bytes', etaSeconds: 3 },
    {
      type: 'epoch-end',
      at: 3,
      epoch: 1,
      epochs: 5,
      metrics: { loss: 0.5, val_dice: 0.2 },
      learningRate: 1e-4,
      seconds: 12,
    },
    { type: 'gate', at: 4, pass: false, headline: 'Not promoted', reasons: ['Dice 0.80 ≤ 0.81'] },
    { type: 'error', at: 5, step: 'train', error: { code: 'training/failed', message: 'boom' } },
    { type: 'done', at: 6, status: 'failed', seconds: 40, result: { exitCode: 1 } },
  ]

  it('round-trips every event type, one line each', () => {
    for (const event of events) {
      const line = toNdjsonLine(event)
      expect(line.endsWith('\n')).toBe(true)
      expect(line.slice(0, -1)).not.toContain('\n')
      expect(parseNdjsonLine(line)).toEqual(event)
    }
  })

  it.each([
    ['a blank line', '   '],
    ['a stray log line', 'Loading backend…'],
    ['broken JSON', '{"type": "progress"'],
    ['an unknown type', '{"type":"mystery","at":1}'],
    ['a wrong field type', '{"type":"progress","at":1,"step":"qa","done":"x","unit":"pairs"}'],
  ])('ignores %s instead of throwing', (_label, line) => {
    expect(parseNdjsonLine(line)).toBeUndefined()
  })
})
