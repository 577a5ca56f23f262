import { describe, expect, it } from 'vitest'
import { utf8Length } from '../qa/render-report.js'
import { renderRunReport, runReportTitle } from './render-run-report.js'
import { newRunRecord, type PipelineRunRecord } from './run-record.js'

function refusedRecord(findings: number): PipelineRunRecord {
  const record = newRunRecord('data/20260101-000001', 'a'.repeat(40), 0)
  return {
    ...record,
    status: 'done',
    qa: {
      passed: false,
      pairs: findings,
      pairsWithErrors: findings,
      errors: findings,
      warnings: 0,
      findings: Array.from({ length: findings }, (_, index) => ({
        sampleId: `pair_${String(index)}`,
        ruleId: 'mask-near-empty',
        severity: 'error',
        message: `masks/pair_${String(index)}.png has only 3 foreground pixels | <b>`,
      })),
    },
    verdict: {
      outcome: 'refused',
      step: 'qa',
      headline: `${String(findings)} pair(s) fail QA`,
      details: [],
      action: 'Fix them.',
    },
  }
}

describe('renderRunReport', () => {
  it('renders the verdict, what to do, the QA findings (escaped) and the steps', () => {
    const markdown = renderRunReport(refusedRecord(2))
    expect(runReportTitle(refusedRecord(2))).toBe('data: add 0 new training images (refused)')
    expect(markdown).toContain('**What to do:** Fix them.')
    expect(markdown).toContain(
      '| pair_1 | mask-near-empty | error | masks/pair_1.png has only 3 foreground pixels \\| &lt;b&gt; |',
    )
    expect(markdown).toMatch(/### ⏱ Steps[\s\S]*\| merge \| · pending/)
  })

  it('stays within the limit and says it was cut', () => {
    const markdown = renderRunReport(refusedRecord(100), 4_000)
    expect(utf8Length(markdown)).toBeLessThanOrEqual(4_000)
    expect(markdown).toContain('Report truncated')
    expect(renderRunReport(refusedRecord(2), 4_000)).not.toContain('Report truncated')
  })
})
