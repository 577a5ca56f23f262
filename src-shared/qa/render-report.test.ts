import { describe, expect, it } from 'vitest'
import { defaultQaPolicy } from '../config/qa-policy.js'
import { okImage, okMask, okSample } from '../test-support/qa-probes.js'
import { evaluateSample } from './evaluate.js'
import { makeIssue } from './issue.js'
import { issueFinding, MARKDOWN_LIMIT_BYTES, renderQaMarkdown, renderQaText, utf8Length } from './render-report.js'
import { assembleQaReport, QaReportSchema } from './report.js'

const policy = defaultQaPolicy()

function reportWith(issueCount: number) {
  const samples = Array.from({ length: 3 }, (_, i) =>
    okSample(`s${String(i)}`, {
      image: okImage({
        relpath: `images/s${String(i)}.jpg`,
        header: { orientation: i === 0 ? 6 : 1, width: i === 0 ? 1333 : 1000, height: i === 0 ? 1000 : 1333 },
      }),
      mask: okMask({ relpath: `masks/s${String(i)}.png` }),
    }),
  )
  const issues = [
    ...samples.flatMap((sample) => evaluateSample(sample, policy)),
    ...Array.from({ length: issueCount }, (_, i) =>
      makeIssue('mask/lossy', `id_${String(i)}_välue`, `masks/id_${String(i)}_välue.jpg has 42 grey pixels <edge>`),
    ),
    makeIssue('file/corrupt', 'broken', 'images/broken.jpg is truncated'),
  ]
  return assembleQaReport({ inputs: ['/data'], policy, samples, issues })
}

describe('QA report', () => {
  it('summarises counts, sizes, orientations and foreground, and validates against its schema', () => {
    const report = reportWith(2)
    expect(QaReportSchema.parse(report)).toEqual(report)
    expect(report.schemaVersion).toBe(1)
    expect(report.passed).toBe(false)
    expect(report.summary).toMatchObject({
      pairs: 3,
      errors: 1,
      warnings: 2,
      infos: 1,
      byRule: { 'file/corrupt': 1, 'geometry/rotated-match': 1, 'mask/lossy': 2 },
      rotated: 1,
      orientations: { '1': 2, '6': 1 },
      resolutions: [{ width: 1000, height: 1333, count: 3 }],
    })
    expect(report.summary.foreground?.median).toBeCloseTo(0.02, 3)
    expect(report.issues[0]?.severity).toBe('error')
  })

  it('renders Markdown grouped by rule, escaping HTML outside code', () => {
    const markdown = renderQaMarkdown(reportWith(2))
    expect(markdown).toContain('## ❌ Data QA failed')
    expect(markdown).toContain('`mask/lossy`')
    expect(markdown).toContain('&lt;edge&gt;')
    expect(markdown).toContain('`training-runner qa --fix <out-dir>`')
    expect(markdown).not.toContain('Truncated')
  })

  it('keeps Markdown under 60 KB with a note saying how much was left out', () => {
    const markdown = renderQaMarkdown(reportWith(5000))
    expect(utf8Length(markdown)).toBeLessThanOrEqual(MARKDOWN_LIMIT_BYTES)
    expect(markdown).toMatch(/Truncated to stay under 60 KB: \d+ more issues are in the JSON report/)
    expect(markdown).toContain('file/corrupt')
  })

  it('renders a terminal table with the rule counts and the findings', () => {
    const text = renderQaText(reportWith(30), { perSeverity: 5 })
    expect(text).toMatch(/mask\/lossy\s+warning\s+30\s+yes/)
    expect(text).toContain('images/broken.jpg is truncated')
    expect(text).toContain('… 25 more')
  })

  it('splits a message into the finding and a rule-specific action', () => {
    const issue = makeIssue('mask/empty', 'a', 'masks/a.png is empty', {}, 'Do this instead.')
    expect(issueFinding(issue)).toEqual({ finding: 'masks/a.png is empty.', action: 'Do this instead.' })
  })

  it('counts UTF-8 bytes', () => {
    expect(utf8Length('aé€😀')).toBe(1 + 2 + 3 + 4)
  })
})
