import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { discoverPairs } from './discover-pairs.js'
import { writeHostileCorpus } from './fixtures/hostile-corpus.js'
import { runQa } from './run-qa.js'

describe('hostile inputs', () => {
  const tempDir = useTempDirs()

  it('get specific errors, with no crash, no hang and no read outside the dataset', async () => {
    const base = await tempDir()
    const dir = path.join(base, 'dataset')
    const cases = await writeHostileCorpus(dir, path.join(base, 'outside'))
    const found = await discoverPairs([dir])
    const started = Date.now()
    const report = await runQa({
      pairs: found.pairs,
      pairingProblems: found.problems,
      cacheDir: null,
      policy: { perFileTimeoutMs: 10_000 },
    })
    expect(Date.now() - started).toBeLessThan(15_000)

    for (const { sampleId, expect: ruleId, about } of cases) {
      const issues = report.issues.filter((issue) => issue.sampleId === sampleId)
      if (ruleId === undefined) {
        expect(
          issues.filter((issue) => issue.severity === 'error'),
          about,
        ).toEqual([])
      } else {
        expect(
          issues.map((issue) => issue.ruleId),
          about,
        ).toContain(ruleId)
      }
    }
    // Outside files were never opened: their probes carry no content hash.
    for (const sampleId of ['link-outside', 'link-to-pipe']) {
      const sample = report.samples.find((s) => s.sampleId === sampleId)
      expect(sample?.image.md5, sampleId).toBeUndefined()
    }
    expect(report.passed).toBe(false)
  })
})
