import { copyFile, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { hammingDistance } from '@wms/shared/qa/perceptual-hash'
import type { QaReport } from '@wms/shared/qa/report'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { realSampleDir } from '../../test/helpers/real-sample.js'
import { discoverPairs } from './discover-pairs.js'
import { fullDecodeQa } from './fixtures/full-decode-qa.js'
import { writeFixturePair } from './fixtures/qa-fixtures.js'
import { runQa } from './run-qa.js'

/**
 * The engine's shortcuts (photos decoded at reduced size for the perceptual hash, decoding spread over workers,
 * headers read without decoding) must not change a single verdict: its report is compared with the reference QA,
 * which fully decodes every file one after the other. Verdicts are the issues (rule, pair, severity, the other
 * file of a duplicate) and the per-pair facts; perceptual hashes themselves may differ by a few bits, which is
 * why the near-duplicate verdicts are the thing compared.
 */

const temp = useTempDirs()

/** What a report decides: every issue without its wording, and every pair's facts without its hash. */
function verdicts(report: QaReport) {
  return {
    issues: report.issues.map((issue) => {
      const other = issue.details.similarTo ?? issue.details.duplicateOf ?? issue.details.sampleOf
      return `${issue.sampleId} ${issue.ruleId} ${issue.severity}${typeof other === 'string' ? ` ~ ${other}` : ''}`
    }),
    samples: report.samples.map((sample) => {
      const image: Partial<typeof sample.image> = { ...sample.image }
      delete image.phash
      return { ...sample, image }
    }),
    summary: report.summary,
  }
}

/** Largest and mean perceptual-hash difference, in bits, between two reports of the same pairs. */
function hashDrift(a: QaReport, b: QaReport): { max: number; mean: number } {
  const hashes = new Map(a.samples.map((sample) => [sample.sampleId, sample.image.phash]))
  const distances = b.samples.flatMap((sample) => {
    const other = hashes.get(sample.sampleId)
    return other === undefined || sample.image.phash === undefined ? [] : [hammingDistance(other, sample.image.phash)]
  })
  return {
    max: Math.max(0, ...distances),
    mean: distances.reduce((sum, value) => sum + value, 0) / Math.max(1, distances.length),
  }
}

async function engineAndReference(dir: string, workers: readonly number[]) {
  const found = await discoverPairs([dir])
  const reference = await fullDecodeQa({ pairs: found.pairs, pairingProblems: found.problems })
  const engine = []
  for (const concurrency of workers) {
    engine.push(await runQa({ pairs: found.pairs, pairingProblems: found.problems, cacheDir: null, concurrency }))
  }
  return { reference, engine }
}

/** Phone-like pairs with duplicates, near-duplicates and the usual faults, each kind a few times. */
async function writeMixedPairs(dir: string): Promise<void> {
  const sizes: [number, number][] = [
    [320, 240],
    [240, 320],
    [400, 300],
  ]
  for (let index = 0; index < 12; index += 1) {
    const [width, height] = sizes[index % sizes.length] ?? [320, 240]
    await writeFixturePair(dir, `pair-${String(index)}`, {
      width,
      height,
      photo: { orientation: index % 4 === 1 ? 6 : index % 4 === 3 ? 3 : 1, gps: index % 3 === 0, quality: 85 },
      mask: { format: index % 2 === 0 ? 'jpeg' : 'png' },
    })
  }
  await writeFixturePair(dir, 'lossy-grey', { mask: { format: 'jpeg', draw: (x) => (x % 7 === 0 ? 128 : 0) } })
  await writeFixturePair(dir, 'empty-mask', { mask: { draw: () => 0 } })
  await writeFixturePair(dir, 'small', { width: 100, height: 90 })
  // An exact copy, and near copies: recompressed harder, a little brighter, a little cropped and scaled back.
  for (const role of ['images', 'masks']) {
    const ext = role === 'images' ? 'jpg' : 'jpg'
    await copyFile(path.join(dir, role, `pair-0.${ext}`), path.join(dir, role, `pair-0-copy.${ext}`))
  }
  const photo = await readFile(path.join(dir, 'images/pair-2.jpg'))
  const mask = path.join(dir, 'masks/pair-2.jpg')
  const variants: [string, Buffer][] = [
    ['pair-2-q40', await sharp(photo).jpeg({ quality: 40 }).toBuffer()],
    ['pair-2-brighter', await sharp(photo).modulate({ brightness: 1.08 }).jpeg({ quality: 90 }).toBuffer()],
    [
      'pair-2-cropped',
      await sharp(photo)
        .extract({ left: 6, top: 4, width: 308, height: 232 })
        .resize(320, 240)
        .jpeg({ quality: 90 })
        .toBuffer(),
    ],
  ]
  for (const [stem, bytes] of variants) {
    await writeFile(path.join(dir, 'images', `${stem}.jpg`), bytes)
    await copyFile(mask, path.join(dir, 'masks', `${stem}.jpg`))
  }
}

describe('QA verdicts: engine (reduced decodes, workers) vs reference (full decode, one by one)', () => {
  it('are identical on generated pairs with duplicates, near-duplicates and faults, for 1 and 2 workers', async () => {
    const dir = await temp('wms-qa-verdicts-')
    await writeMixedPairs(dir)
    const { reference, engine } = await engineAndReference(dir, [1, 2])
    const [one, two] = engine
    expect(one).toBeDefined()
    // The mix covers what the hash decides: an exact copy and near copies are found.
    const rules = new Set(reference.issues.map((issue) => issue.ruleId))
    expect(rules).toContain('duplicate/exact')
    expect(rules).toContain('duplicate/near')
    expect(verdicts(one as QaReport)).toEqual(verdicts(reference))
    // Same report, in the same order, whatever the number of workers.
    expect(two).toEqual(one)
  }, 120_000)

  const sample = realSampleDir()
  it.skipIf(sample === undefined)(
    `are identical on the real sample (${sample ?? 'skipped: no shared/datasets/wms-sample next to this checkout'})`,
    async () => {
      const { reference, engine } = await engineAndReference(sample ?? '', [2])
      const [report] = engine
      expect(report?.summary.pairs).toBe(240)
      expect(verdicts(report as QaReport)).toEqual(verdicts(reference))
      // The reduced decode moves hashes by a few bits (4 at most on the sample), below the gap between distinct photos.
      expect(hashDrift(reference, report as QaReport).max).toBeLessThanOrEqual(8)
    },
    600_000,
  )
})
