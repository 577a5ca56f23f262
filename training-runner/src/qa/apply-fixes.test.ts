import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { md5File } from '../fs/hash-file.js'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { applyFixes } from './apply-fixes.js'
import { discoverPairs } from './discover-pairs.js'
import { writeFixturePair } from './fixtures/qa-fixtures.js'
import { runQa } from './run-qa.js'

async function qaAndFix(dir: string, outDir: string) {
  const found = await discoverPairs([dir])
  const samples = new Map<string, Parameters<typeof applyFixes>[2]>()
  const report = await runQa({
    pairs: found.pairs,
    pairingProblems: found.problems,
    cacheDir: null,
    onPairResult: ({ sample }) => samples.set(sample.sampleId, { sample }),
  })
  const results = []
  for (const pair of found.pairs) {
    const issues = report.issues.filter((issue) => issue.sampleId === pair.sampleId)
    results.push(await applyFixes(pair, outDir, { ...samples.get(pair.sampleId), issues }))
  }
  return { report, results }
}

async function hashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const file = path.join(entry.parentPath, entry.name)
    out[path.relative(dir, file)] = await md5File(file)
  }
  return out
}

describe('applyFixes', () => {
  const tempDir = useTempDirs()

  it('writes normalised copies that pass QA again, leaves originals alone, and is idempotent', async () => {
    const dir = await tempDir()
    await writeFixturePair(dir, 'rotated', { photo: { orientation: 6, gps: true }, mask: { format: 'jpeg' } })
    await writeFixturePair(dir, 'flipped', { photo: { orientation: 3, identifying: true }, mask: { channels: 3 } })
    await writeFixturePair(dir, 'deep', { mask: { sixteenBit: true } })
    await writeFixturePair(dir, 'alpha', { mask: { channels: 4, transparentBackground: true } })
    await writeFixturePair(dir, 'cmyk', { photo: { cmyk: true } })
    await writeFixturePair(dir, 'png-named-jpg', { imageName: 'png-named-jpg.jpg', photo: { format: 'png' } })
    await writeFixturePair(dir, 'clean')
    await writeFixturePair(dir, 'empty', { mask: { draw: () => 0 } })
    const before = await hashes(dir)

    const out = path.join(await tempDir(), 'fixed')
    const { report, results } = await qaAndFix(dir, out)
    expect(report.summary.byRule).toMatchObject({
      'geometry/rotated-match': 1,
      'geometry/orientation-ambiguous': 1,
      'privacy/gps': 1,
      'privacy/identifying-exif': 1,
      'mask/lossy': 1,
      'mask/multi-channel': 1,
      'mask/bit-depth': 1,
      'mask/alpha': 1,
      'image/encoding': 1,
      'file/extension-mismatch': 1,
      'mask/empty': 1,
    })
    expect(await hashes(dir)).toEqual(before)
    expect(results.find((r) => r.sampleId === 'empty')?.skipped).toContain('mask/empty')
    expect(results.find((r) => r.sampleId === 'clean')?.written.map((w) => w.actions)).toEqual([
      ['copied unchanged'],
      ['copied unchanged'],
    ])

    const again = await discoverPairs([out])
    const fixedReport = await runQa({ pairs: again.pairs, pairingProblems: again.problems, cacheDir: null })
    expect(fixedReport.issues).toEqual([])
    expect(fixedReport.summary.pairs).toBe(7)
    const mask = await sharp(await readFile(path.join(out, 'masks/rotated.png'))).metadata()
    expect(mask).toMatchObject({ format: 'png', channels: 1, depth: 'uchar', width: 240, height: 180 })
    const image = await sharp(await readFile(path.join(out, 'images/rotated.jpg'))).metadata()
    expect(image).toMatchObject({ width: 240, height: 180 })
    expect(image.exif).toBeUndefined()
    expect(image.orientation).toBeUndefined()

    const out2 = path.join(await tempDir(), 'fixed-again')
    const second = await qaAndFix(out, out2)
    expect(second.results.flatMap((r) => r.written.flatMap((w) => w.actions))).toEqual(
      Array(14).fill('copied unchanged'),
    )
    expect(await hashes(out2)).toEqual(await hashes(out))
  })
})
