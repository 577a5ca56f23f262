import { describe, expect, it, vi } from 'vitest'
import type { QaReport } from '@wms/shared/qa/report'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { realSampleDir } from '../../test/helpers/real-sample.js'
import type * as MaskStats from '../adapters/images/jpeg-mask-stats.js'
import { discoverPairs } from './discover-pairs.js'
import { writeFixturePair } from './fixtures/qa-fixtures.js'
import { runQa } from './run-qa.js'

/**
 * Counting JPEG masks from their blocks (issue 19) must leave the QA report exactly as it was when every mask was
 * decoded by libvips — not only the verdicts: every count, in the same order, for any number of pairs in flight.
 * The counter is switched off here by wrapping its module, which sends every mask down the libvips path.
 */

const counter = vi.hoisted(() => ({ enabled: true, answered: 0 }))
vi.mock('../adapters/images/jpeg-mask-stats.js', async (importOriginal) => {
  const original = await importOriginal<typeof MaskStats>()
  return {
    jpegMaskStats: (bytes: Uint8Array) => {
      if (!counter.enabled) return undefined
      const stats = original.jpegMaskStats(bytes)
      if (stats !== undefined) counter.answered += 1
      return stats
    },
  }
})

const temp = useTempDirs()

async function reports(dir: string, concurrencies: readonly number[]) {
  const found = await discoverPairs([dir])
  const run = (concurrency: number): Promise<QaReport> =>
    runQa({ pairs: found.pairs, pairingProblems: found.problems, cacheDir: null, concurrency })
  counter.enabled = false
  const decoded = await run(2)
  counter.enabled = true
  counter.answered = 0
  const counted: QaReport[] = []
  for (const concurrency of concurrencies) counted.push(await run(concurrency))
  return { decoded, counted, answered: counter.answered }
}

describe('QA report with JPEG masks counted from their blocks', () => {
  it('is identical to the report with every mask decoded by libvips, for 1, 2 and 4 pairs in flight', async () => {
    const dir = await temp('wms-qa-mask-counting-')
    for (let index = 0; index < 8; index += 1) {
      await writeFixturePair(dir, `pair-${String(index)}`, {
        width: 200 + index * 13,
        height: 150 + index * 7,
        mask: { format: index % 4 === 3 ? 'png' : 'jpeg' },
      })
    }
    await writeFixturePair(dir, 'lossy', { mask: { format: 'jpeg', draw: (x) => (x % 5 === 0 ? 128 : 0) } })
    await writeFixturePair(dir, 'empty', { mask: { format: 'jpeg', draw: () => 0 } })
    await writeFixturePair(dir, 'full', { mask: { format: 'jpeg', draw: () => 255 } })
    await writeFixturePair(dir, 'colour', { mask: { format: 'jpeg', channels: 3, colour: true } })

    const { decoded, counted, answered } = await reports(dir, [1, 2, 4])
    // Every grey JPEG mask went through the counter, in each of the three runs.
    expect(answered).toBe(3 * 9)
    expect(decoded.issues.map((issue) => issue.ruleId)).toContain('mask/lossy')
    expect(decoded.issues.map((issue) => issue.ruleId)).toContain('mask/empty')
    for (const report of counted) expect(report).toEqual(decoded)
  }, 120_000)

  const sample = realSampleDir()
  it.skipIf(sample === undefined)(
    `is identical on the real sample (${sample ?? 'skipped: no shared/datasets/wms-sample next to this checkout'})`,
    async () => {
      const { decoded, counted, answered } = await reports(sample ?? '', [2])
      expect(answered).toBe(240)
      expect(counted[0]).toEqual(decoded)
    },
    600_000,
  )
})
