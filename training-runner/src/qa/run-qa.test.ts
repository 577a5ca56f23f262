import { execFileSync } from 'node:child_process'
import { copyFile, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import type { QaPolicy } from '@wms/shared/config/qa-policy'
import type { QaRuleId } from '@wms/shared/qa/rule-catalog'
import type { QaReport } from '@wms/shared/qa/report'
import { collectingSink } from '../events/event-sink.js'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { discoverPairs } from './discover-pairs.js'
import { pngDeclaring, recompressSmaller, writeFixturePair, type FixturePairOptions } from './fixtures/qa-fixtures.js'
import { runQa } from './run-qa.js'

/** Runs QA on a folder without a cache. */
async function qa(dir: string, policy: Partial<QaPolicy> = {}): Promise<QaReport> {
  const found = await discoverPairs([dir])
  return runQa({ pairs: found.pairs, pairingProblems: found.problems, policy, cacheDir: null, concurrency: 2 })
}

const rules = (report: QaReport): QaRuleId[] => report.issues.map((issue) => issue.ruleId)

interface Case {
  write: (dir: string) => Promise<void>
  policy?: Partial<QaPolicy>
}

/** A case that writes one pair `a` with these options. */
const pairWith = (options: FixturePairOptions = {}, policy?: Partial<QaPolicy>): Case => ({
  write: async (dir) => {
    await writeFixturePair(dir, 'a', options)
  },
  ...(policy === undefined ? {} : { policy }),
})
const healthy = pairWith()
const ringMask = (x: number, y: number, w: number, h: number): number =>
  x < 4 || y < 4 || x >= w - 4 || y >= h - 4 ? 255 : 0

/** A generated failing and passing dataset per rule that real files can trigger. */
const CASES: Partial<Record<QaRuleId, { fail: Case; pass: Case }>> = {
  'pairing/orphan-image': {
    fail: pairWith({ maskName: '../a.png' }),
    pass: healthy,
  },
  'pairing/unsupported-extension': {
    fail: pairWith({ imageName: 'a.webp' }),
    pass: healthy,
  },
  'file/empty': {
    fail: {
      write: async (dir) => {
        const { image } = await writeFixturePair(dir, 'a')
        await truncate(image, 0)
      },
    },
    pass: healthy,
  },
  'file/too-large': {
    fail: { ...healthy, policy: { maxFileBytes: 1000 } },
    pass: { ...healthy, policy: { maxFileBytes: 1_000_000 } },
  },
  'file/unreadable': {
    fail: {
      write: async (dir) => {
        const { image } = await writeFixturePair(dir, 'a')
        await rm(image)
        execFileSync('mkfifo', [image]) // a named pipe: opening it for reading would block
      },
    },
    pass: healthy,
  },
  'file/outside-dataset': {
    fail: {
      write: async (dir) => {
        const { image } = await writeFixturePair(dir, 'a')
        const outside = path.join(path.dirname(dir), `${path.basename(dir)}-secret.jpg`)
        await copyFile(image, outside)
        await rm(image)
        await symlink(outside, image)
      },
    },
    pass: {
      write: async (dir) => {
        const { image } = await writeFixturePair(dir, 'a')
        const inside = path.join(dir, 'store.jpg')
        await copyFile(image, inside)
        await rm(image)
        await symlink(inside, image)
      },
    },
  },
  'file/unsupported-format': {
    fail: {
      write: async (dir) => {
        const { image } = await writeFixturePair(dir, 'a')
        await writeFile(
          image,
          await sharp(await readFile(image))
            .webp()
            .toBuffer(),
        )
      },
    },
    pass: healthy,
  },
  'file/extension-mismatch': {
    fail: pairWith({ imageName: 'a.png' }),
    pass: pairWith({ imageName: 'a.JPEG' }),
  },
  'file/corrupt': {
    fail: {
      write: async (dir) => {
        const { mask } = await writeFixturePair(dir, 'a', { mask: { format: 'jpeg' } })
        const bytes = await readFile(mask)
        await writeFile(mask, bytes.subarray(0, Math.floor(bytes.length * 0.6)))
      },
    },
    pass: healthy,
  },
  'file/pixel-limit': {
    fail: {
      write: async (dir) => {
        const { image } = await writeFixturePair(dir, 'a', { photo: { format: 'png' } })
        await writeFile(image, await pngDeclaring(100_000, 100_000))
      },
    },
    pass: healthy,
  },
  'file/timeout': {
    fail: pairWith({ width: 1600, height: 1200 }, { perFileTimeoutMs: 1 }),
    pass: healthy,
  },
  'image/encoding': {
    fail: pairWith({ photo: { cmyk: true } }),
    pass: healthy,
  },
  'geometry/rotated-match': {
    fail: pairWith({ photo: { orientation: 6 } }),
    pass: healthy,
  },
  'geometry/orientation-ambiguous': {
    fail: pairWith({ photo: { orientation: 3 } }),
    pass: healthy,
  },
  'geometry/size-mismatch': {
    fail: pairWith({ maskSize: { width: 200, height: 180 } }),
    pass: healthy,
  },
  'geometry/too-small': {
    fail: pairWith({ width: 120, height: 100 }),
    pass: pairWith({ width: 160, height: 128 }),
  },
  'mask/colour': {
    fail: pairWith({ mask: { channels: 3, colour: true } }),
    pass: pairWith({ mask: { channels: 3 } }),
  },
  'mask/multi-channel': {
    fail: pairWith({ mask: { channels: 3 } }),
    pass: healthy,
  },
  'mask/alpha': {
    fail: pairWith({ mask: { channels: 4, transparentBackground: true } }),
    pass: pairWith({ mask: { channels: 4 } }),
  },
  'mask/bit-depth': {
    fail: pairWith({ mask: { sixteenBit: true } }),
    pass: healthy,
  },
  'mask/lossy': {
    fail: pairWith({ mask: { format: 'jpeg' } }),
    pass: pairWith({ mask: { palette: true } }),
  },
  'mask/not-binary': {
    fail: pairWith({ mask: { draw: (x, _y, w) => Math.round((x / w) * 255) } }),
    pass: healthy,
  },
  'mask/empty': {
    fail: pairWith({ mask: { draw: () => 0 } }),
    pass: healthy,
  },
  'mask/near-empty': {
    fail: pairWith({
      mask: { draw: (x, y) => (x > 50 && x < 60 && y > 50 && y < 55 ? 255 : 0) },
    }),
    pass: healthy,
  },
  'mask/inverted': {
    fail: pairWith({ mask: { draw: ringMask } }),
    pass: healthy,
  },
  'duplicate/exact': {
    fail: {
      write: async (dir) => {
        await writeFixturePair(dir, 'a')
        await writeFixturePair(dir, 'b', { seed: 7 })
        await copyFile(path.join(dir, 'images/a.jpg'), path.join(dir, 'images/b.jpg'))
      },
    },
    pass: {
      write: async (dir) => {
        await writeFixturePair(dir, 'a')
        await writeFixturePair(dir, 'b')
      },
    },
  },
  'duplicate/near': {
    fail: {
      write: async (dir) => {
        await writeFixturePair(dir, 'a', { width: 480, height: 360, seed: 11 })
        await writeFixturePair(dir, 'b', { width: 360, height: 270, seed: 11 })
        const original = await readFile(path.join(dir, 'images/a.jpg'))
        await writeFile(path.join(dir, 'images/b.jpg'), await recompressSmaller(original, 0.75, 60))
      },
    },
    pass: {
      write: async (dir) => {
        await writeFixturePair(dir, 'a', { width: 480, height: 360, seed: 11 })
        await writeFixturePair(dir, 'b', { width: 480, height: 360, seed: 12 })
      },
    },
  },
  'privacy/gps': {
    fail: pairWith({ photo: { gps: true } }),
    pass: healthy,
  },
  'privacy/identifying-exif': {
    fail: pairWith({ photo: { identifying: true } }),
    pass: pairWith({ photo: { gps: true } }),
  },
}

describe('runQa on generated files (one failing and one passing fixture per rule)', () => {
  const tempDir = useTempDirs()

  describe.each(Object.entries(CASES))('%s', (ruleId, { fail, pass }) => {
    it('fires on the failing fixture', async () => {
      const dir = await tempDir()
      await fail.write(dir)
      const report = await qa(dir, fail.policy)
      expect(rules(report)).toContain(ruleId)
    })
    it('stays quiet on the passing fixture', async () => {
      const dir = await tempDir()
      await pass.write(dir)
      const report = await qa(dir, pass.policy)
      expect(rules(report)).not.toContain(ruleId)
    })
  })

  it('passes a clean generated dataset with no issue at all', async () => {
    const dir = await tempDir()
    for (const stem of ['m1', 'm2', 'm3']) await writeFixturePair(dir, stem)
    const report = await qa(dir)
    expect(report.issues).toEqual([])
    expect(report.passed).toBe(true)
    expect(report.summary.pairs).toBe(3)
  })

  it('streams each pair as it finishes, emits qa events, and can be cancelled', async () => {
    const dir = await tempDir()
    for (const stem of ['a', 'b', 'c', 'd']) await writeFixturePair(dir, stem, { mask: { format: 'jpeg' } })
    const found = await discoverPairs([dir])
    const streamed: string[] = []
    const events = collectingSink()
    const report = await runQa({
      pairs: found.pairs,
      cacheDir: null,
      events,
      onPairResult: ({ sample, issues, total }) => {
        expect(total).toBe(4)
        expect(issues.map((issue) => issue.ruleId)).toEqual(['mask/lossy'])
        streamed.push(sample.sampleId)
      },
    })
    expect(streamed.sort()).toEqual(['a', 'b', 'c', 'd'])
    expect(report.passed).toBe(true)
    expect(events.events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['step-start', 'progress', 'step-end']),
    )

    const controller = new AbortController()
    controller.abort()
    const cancelled = await runQa({ pairs: found.pairs, cacheDir: null, signal: controller.signal })
    expect(cancelled).toMatchObject({ cancelled: true, passed: false })
    expect(cancelled.summary.pairs).toBe(0)
  })

  it('refuses invalid thresholds with a usage error naming the field', async () => {
    await expect(runQa({ pairs: [], policy: { minSide: -1 }, cacheDir: null })).rejects.toMatchObject({
      code: 'usage/invalid-arguments',
      message: expect.stringContaining('minSide') as unknown,
    })
  })
})
