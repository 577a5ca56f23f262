import { describe, expect, it } from 'vitest'
import {
  formatHistoryLine,
  isPlaceholderMetadata,
  parseModelMetadata,
  parseProductionHistory,
} from './model-metadata.js'

describe('model-metadata.json', () => {
  it("reads the old system's placeholder and knows it names no model", () => {
    const parsed = parseModelMetadata(
      JSON.stringify({
        model_version: 'initial',
        run_id: null,
        metrics: { dice: 0.0, iou: 0.0 },
        baseline: { dice: 0.0, iou: 0.0 },
        trained_at: null,
        training_data_count: 0,
        github_run: null,
        note: 'This file will be automatically updated…',
      }),
    )
    expect(parsed.ok).toBe(true)
    if (parsed.ok) expect(isPlaceholderMetadata(parsed.value)).toBe(true)
  })

  it('reads the old writer\'s file ("TBD" count, sha version) and keeps unknown fields', () => {
    const parsed = parseModelMetadata(
      JSON.stringify({
        model_version: 'abc1234',
        run_id: 'r',
        metrics: { dice: 0.8, iou: 0.7 },
        baseline: { dice: 0.6, iou: 0.5 },
        trained_at: '2026-02-09T18:00:38Z',
        training_data_count: 'TBD',
        github_run: '42',
        extra: 1,
      }),
    )
    expect(parsed).toMatchObject({
      ok: true,
      value: { model_version: 'abc1234', extra: 1, training_data_count: 'TBD' },
    })
  })

  it('says what is wrong with a broken file', () => {
    const broken = parseModelMetadata('{')
    expect(broken.ok ? '' : broken.error).toContain('not valid JSON')
    expect(parseModelMetadata('{"model_version":"1"}')).toMatchObject({ ok: false })
  })
})

describe('production-history.jsonl', () => {
  it('writes one JSON object per line and skips the old comment header when reading', () => {
    const line = formatHistoryLine({ event: 'promote', version: 3, run_id: 'r', timestamp: 't', previous_version: 2 })
    expect(line.endsWith('}\n')).toBe(true)
    const old = [
      '# Production Model History',
      '# Each line is a JSON object representing a Production model version',
      '{"version": 34, "run_id": "af6b", "stage": "Production", "timestamp": "2026-02-09T18:00:38.846048", "metrics": {"final_test_dice": 0.76}, "params": {"seed": "4202"}}',
      '',
    ].join('\n')
    const { entries, problems } = parseProductionHistory(old + line + 'not json\n')
    expect(entries.map((entry) => [entry.event, entry.version])).toEqual([
      ['promote', 34],
      ['promote', 3],
    ])
    expect(entries[0]?.params).toEqual({ seed: '4202' })
    expect(problems).toEqual([{ line: 5, message: 'not valid JSON' }])
  })
})
