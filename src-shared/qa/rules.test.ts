import { describe, expect, it } from 'vitest'
import { defaultQaPolicy } from '../config/qa-policy.js'
import type { PairingProblem } from '../dataset/pairing.js'
import {
  binaryMaskStats,
  fakeMd5,
  fakePhash,
  histogramWith,
  okImage,
  okMask,
  okSample,
} from '../test-support/qa-probes.js'
import type { DatasetIndexEntry } from './dataset-index.js'
import { evaluateDataset, evaluateSample } from './evaluate.js'
import type { QaIssue } from './issue.js'
import type { ProbedFileFailed, ProbedSample, ProbeFailure } from './probe.js'
import { QA_RULE_IDS, QA_RULES, type QaRuleId } from './rule-catalog.js'

const policy = defaultQaPolicy()

interface Input {
  samples: ProbedSample[]
  problems?: PairingProblem[]
  existing?: DatasetIndexEntry[]
  replacements?: string[]
}

function evaluateAll(input: Input): QaIssue[] {
  return [
    ...input.samples.flatMap((sample) => evaluateSample(sample, policy)),
    ...evaluateDataset(
      {
        samples: input.samples,
        pairingProblems: input.problems ?? [],
        existing: input.existing ?? [],
        replacements: new Set(input.replacements ?? []),
      },
      policy,
    ),
  ]
}

const failedImage = (failure: ProbeFailure, extra: Partial<ProbedFileFailed> = {}): ProbedFileFailed => ({
  ok: false,
  relpath: 'images/a.jpg',
  bytes: 1000,
  extension: '.jpg',
  failure,
  ...extra,
})

const withImage = (image: ProbedSample['image']): Input => ({ samples: [okSample('a', { image })] })
const withMask = (mask: ProbedSample['mask']): Input => ({ samples: [okSample('a', { mask })] })

/** `count` healthy pairs with foreground shares spread like the real data (1–4 %). */
function population(count: number, overrides: (index: number) => Partial<ProbedSample> = () => ({})): ProbedSample[] {
  return Array.from({ length: count }, (_, index) => {
    const id = `p${String(index).padStart(2, '0')}`
    const foreground = Math.round(1000 * 1333 * (0.01 + (index % 4) * 0.01))
    return {
      ...okSample(id, {
        image: okImage({ relpath: `images/${id}.jpg` }),
        mask: okMask({ relpath: `masks/${id}.png`, stats: binaryMaskStats(1000, 1333, foreground) }),
      }),
      ...overrides(index),
    }
  })
}

const problem = (kind: PairingProblem['kind'], files: string[], stem = 'a'): Input => ({
  samples: [],
  problems: [{ kind, files, stem }],
})

const sharedMd5 = fakeMd5(0xabc)
const sharedPhash = fakePhash(42)
const nearPhash = `${sharedPhash.slice(0, 15)}${((Number.parseInt(sharedPhash.charAt(15), 16) ^ 1) & 15).toString(16)}`

/** One failing and one passing input per rule. */
const CASES: Record<QaRuleId, { fail: () => Input; pass: () => Input }> = {
  'pairing/orphan-image': {
    fail: () => problem('orphan-image', ['images/a.jpg']),
    pass: () => ({ samples: [okSample()] }),
  },
  'pairing/orphan-mask': {
    fail: () => problem('orphan-mask', ['masks/a.png']),
    pass: () => ({ samples: [okSample()] }),
  },
  'pairing/duplicate-stem': {
    fail: () => problem('duplicate-stem', ['images/a.jpg', 'images/a.png', 'masks/a.png']),
    pass: () => ({ samples: [okSample()] }),
  },
  'pairing/unsupported-extension': {
    fail: () => problem('unsupported-extension', ['images/a.heic']),
    pass: () => ({ samples: [okSample()] }),
  },
  'pairing/unknown-role': {
    fail: () => problem('unknown-role', ['a.jpg']),
    pass: () => ({ samples: [okSample()] }),
  },
  'file/empty': {
    fail: () => withImage(failedImage({ kind: 'empty', detail: '0 bytes' }, { bytes: 0 })),
    pass: () => withImage(okImage()),
  },
  'file/too-large': {
    fail: () => withImage(failedImage({ kind: 'too-large', detail: 'x' }, { bytes: 10 ** 9 })),
    pass: () => withImage(okImage()),
  },
  'file/unreadable': {
    fail: () => withImage(failedImage({ kind: 'unreadable', detail: 'permission denied' })),
    pass: () => withImage(okImage()),
  },
  'file/outside-dataset': {
    fail: () => withImage(failedImage({ kind: 'outside-dataset', detail: 'it resolves to /etc/passwd' })),
    pass: () => withImage(okImage()),
  },
  'file/unsupported-format': {
    fail: () => withImage(failedImage({ kind: 'unsupported-format', detail: 'content is heif' }, { format: 'heif' })),
    pass: () => withImage(okImage()),
  },
  'file/extension-mismatch': {
    fail: () => withImage(okImage({ extension: '.png', relpath: 'images/a.png' })),
    pass: () => withImage(okImage({ extension: '.jpeg' })),
  },
  'file/corrupt': {
    fail: () => withImage(failedImage({ kind: 'truncated', detail: 'premature end of JPEG image' })),
    pass: () => withImage(okImage()),
  },
  'file/pixel-limit': {
    fail: () =>
      withImage(failedImage({ kind: 'pixel-limit', detail: 'x', width: 100_000, height: 100_000 }, { format: 'png' })),
    pass: () => withImage(okImage({ header: { width: 6000, height: 6000 } })),
  },
  'file/timeout': {
    fail: () => withImage(failedImage({ kind: 'timeout', detail: 'over 20000 ms' })),
    pass: () => withImage(okImage()),
  },
  'image/encoding': {
    fail: () => withImage(okImage({ header: { space: 'cmyk', channels: 4 } })),
    pass: () => withImage(okImage({ header: { space: 'srgb', channels: 3 } })),
  },
  'geometry/rotated-match': {
    fail: () => withImage(okImage({ header: { width: 1333, height: 1000, orientation: 6 } })),
    pass: () => withImage(okImage({ header: { width: 1000, height: 1333, orientation: 1 } })),
  },
  'geometry/orientation-ambiguous': {
    fail: () => withImage(okImage({ header: { orientation: 3 } })),
    pass: () => withImage(okImage({ header: { orientation: 1 } })),
  },
  'geometry/size-mismatch': {
    fail: () => withImage(okImage({ header: { width: 1200, height: 1600 } })),
    pass: () => withImage(okImage({ header: { width: 1000, height: 1333 } })),
  },
  'geometry/too-small': {
    fail: () => ({
      samples: [
        okSample('a', {
          image: okImage({ header: { width: 100, height: 120 } }),
          mask: okMask({ header: { width: 100, height: 120 } }),
        }),
      ],
    }),
    pass: () => ({
      samples: [
        okSample('a', {
          image: okImage({ header: { width: 128, height: 160 } }),
          mask: okMask({ header: { width: 128, height: 160 } }),
        }),
      ],
    }),
  },
  'geometry/aspect-outlier': {
    fail: () => ({
      samples: population(12, (index) =>
        index === 0
          ? {
              image: okImage({ relpath: 'images/p00.jpg', header: { width: 1000, height: 4000 } }),
              mask: okMask({ relpath: 'masks/p00.png', header: { width: 1000, height: 4000 } }),
            }
          : {},
      ),
    }),
    pass: () => ({
      samples: population(12, (index) =>
        index === 0
          ? {
              image: okImage({ relpath: 'images/p00.jpg', header: { width: 1000, height: 1778 } }),
              mask: okMask({ relpath: 'masks/p00.png', header: { width: 1000, height: 1778 } }),
            }
          : {},
      ),
    }),
  },
  'mask/colour': {
    fail: () => withMask(okMask({ header: { channels: 3, space: 'srgb' }, stats: { colourPixels: 26_000 } })),
    pass: () => withMask(okMask({ header: { channels: 3, space: 'srgb' }, stats: { colourPixels: 10 } })),
  },
  'mask/multi-channel': {
    fail: () => withMask(okMask({ header: { channels: 3, space: 'srgb' } })),
    pass: () => withMask(okMask({ header: { channels: 1 } })),
  },
  'mask/alpha': {
    fail: () => withMask(okMask({ header: { channels: 4, hasAlpha: true }, stats: { translucentPixels: 5000 } })),
    pass: () => withMask(okMask({ header: { channels: 4, hasAlpha: true }, stats: { translucentPixels: 0 } })),
  },
  'mask/bit-depth': {
    fail: () => withMask(okMask({ header: { depth: 'ushort', space: 'grey16' } })),
    pass: () => withMask(okMask({ header: { depth: 'uchar' } })),
  },
  'mask/lossy': {
    fail: () =>
      withMask(
        okMask({ format: 'jpeg', stats: { histogram: histogramWith(1_333_000, { 3: 40, 250: 60, 255: 26_000 }) } }),
      ),
    pass: () => withMask(okMask({ stats: { histogram: histogramWith(1_333_000, { 255: 26_000 }) } })),
  },
  'mask/not-binary': {
    fail: () => withMask(okMask({ stats: { histogram: histogramWith(1_333_000, { 128: 200_000, 255: 26_000 }) } })),
    pass: () => withMask(okMask({ stats: { histogram: histogramWith(1_333_000, { 128: 2_000, 255: 26_000 }) } })),
  },
  'mask/empty': {
    fail: () => withMask(okMask({ stats: { histogram: histogramWith(1_333_000, {}) } })),
    pass: () => withMask(okMask()),
  },
  'mask/near-empty': {
    fail: () => withMask(okMask({ stats: { histogram: histogramWith(1_333_000, { 255: 99 }) } })),
    pass: () => withMask(okMask({ stats: { histogram: histogramWith(1_333_000, { 255: 100 }) } })),
  },
  'mask/foreground-outlier': {
    fail: () => ({
      samples: population(12, (index) =>
        index === 0 ? { mask: okMask({ relpath: 'masks/p00.png', stats: binaryMaskStats(1000, 1333, 400_000) }) } : {},
      ),
    }),
    pass: () => ({ samples: population(12) }),
  },
  'mask/inverted': {
    fail: () => withMask(okMask({ stats: { borderForeground: [1000, 1333, 1000, 1333] } })),
    pass: () => withMask(okMask({ stats: { borderForeground: [1000, 0, 0, 0] } })),
  },
  'duplicate/exact': {
    fail: () => ({
      samples: [
        okSample('a', { image: okImage({ relpath: 'images/a.jpg', md5: sharedMd5 }) }),
        okSample('b', { image: okImage({ relpath: 'images/b.jpg', md5: sharedMd5 }) }),
      ],
    }),
    pass: () => ({ samples: [okSample('a'), okSample('b')] }),
  },
  'duplicate/near': {
    fail: () => ({
      samples: [
        okSample('a', { image: okImage({ relpath: 'images/a.jpg', phash: sharedPhash }) }),
        okSample('b', { image: okImage({ relpath: 'images/b.jpg', phash: nearPhash }) }),
      ],
    }),
    pass: () => ({ samples: [okSample('a'), okSample('b')] }),
  },
  'duplicate/exact-existing': {
    fail: () => ({
      samples: [okSample('new', { image: okImage({ relpath: 'images/new.jpg', md5: sharedMd5 }) })],
      existing: [{ relpath: 'images/old.jpg', md5: sharedMd5 }],
    }),
    pass: () => ({ samples: [okSample('new')], existing: [{ relpath: 'images/old.jpg', md5: fakeMd5() }] }),
  },
  'duplicate/near-existing': {
    fail: () => ({
      samples: [okSample('new', { image: okImage({ relpath: 'images/new.jpg', phash: nearPhash }) })],
      existing: [{ relpath: 'images/old.jpg', md5: fakeMd5(), phash: sharedPhash }],
    }),
    pass: () => ({
      samples: [okSample('new')],
      existing: [{ relpath: 'images/old.jpg', md5: fakeMd5(), phash: sharedPhash }],
    }),
  },
  'duplicate/already-present': {
    fail: () => {
      const sample = okSample('a')
      return {
        samples: [sample],
        existing: [
          { relpath: 'images/a.jpg', md5: sample.image.md5 ?? '' },
          { relpath: 'masks/a.png', md5: sample.mask.md5 ?? '' },
        ],
      }
    },
    pass: () => ({ samples: [okSample('a')], existing: [{ relpath: 'images/b.jpg', md5: fakeMd5() }] }),
  },
  'duplicate/name-collision': {
    fail: () => ({ samples: [okSample('a')], existing: [{ relpath: 'images/a.JPG', md5: fakeMd5() }] }),
    pass: () => ({
      samples: [okSample('a')],
      existing: [{ relpath: 'images/a.JPG', md5: fakeMd5() }],
      replacements: ['a'],
    }),
  },
  'duplicate/replacement': {
    fail: () => ({
      samples: [okSample('a')],
      existing: [{ relpath: 'masks/a.png', md5: fakeMd5() }],
      replacements: ['a'],
    }),
    pass: () => ({ samples: [okSample('a')], existing: [], replacements: ['a'] }),
  },
  'privacy/gps': {
    fail: () =>
      withImage(
        okImage({ metadata: { hasMetadata: true, gpsFields: ['GPSLatitude', 'GPSLongitude'], identifyingFields: [] } }),
      ),
    pass: () => withImage(okImage({ metadata: { hasMetadata: true, gpsFields: [], identifyingFields: [] } })),
  },
  'privacy/identifying-exif': {
    fail: () =>
      withImage(okImage({ metadata: { hasMetadata: true, gpsFields: [], identifyingFields: ['BodySerialNumber'] } })),
    pass: () => withImage(okImage({ metadata: { hasMetadata: true, gpsFields: [], identifyingFields: [] } })),
  },
}

describe('QA rules (table)', () => {
  it('has a failing and a passing case for every rule in the catalogue', () => {
    expect(Object.keys(CASES).sort()).toEqual([...QA_RULE_IDS].sort())
  })

  describe.each(QA_RULE_IDS)('%s', (ruleId) => {
    const spec = QA_RULES[ruleId]
    it('fires on the failing case with its severity and a message naming the file and what to do', () => {
      const issues = evaluateAll(CASES[ruleId].fail()).filter((issue) => issue.ruleId === ruleId)
      expect(issues.length).toBeGreaterThan(0)
      for (const issue of issues) {
        expect(issue.severity).toBe(spec.severity)
        expect(issue.fixable).toBe(spec.fixable)
        expect(issue.message).toContain(spec.why)
        expect(issue.message.length).toBeGreaterThan(spec.why.length + 20)
      }
    })
    it('stays quiet on the passing case', () => {
      const issues = evaluateAll(CASES[ruleId].pass()).filter((issue) => issue.ruleId === ruleId)
      expect(issues).toEqual([])
    })
  })

  it('finds nothing at all in a healthy population', () => {
    expect(evaluateAll({ samples: population(20) })).toEqual([])
  })
})

describe('rule details', () => {
  it('says "matches only after rotation" and keeps the sizes in details', () => {
    const [issue] = evaluateAll(withImage(okImage({ header: { width: 1333, height: 1000, orientation: 6 } })))
    expect(issue?.message).toContain('only after rotation')
    expect(issue?.details).toMatchObject({
      imageStored: { width: 1333, height: 1000 },
      maskSize: { width: 1000, height: 1333 },
    })
  })

  it('explains a mask drawn on the stored (unrotated) pixels', () => {
    const issues = evaluateAll({
      samples: [
        okSample('a', {
          image: okImage({ header: { width: 1333, height: 1000, orientation: 6 } }),
          mask: okMask({ header: { width: 1333, height: 1000 } }),
        }),
      ],
    })
    expect(issues.map((issue) => issue.ruleId)).toEqual(['geometry/size-mismatch'])
    expect(issues[0]?.details).toMatchObject({ matchesStoredPixels: true })
  })

  it('recognises class-index masks (0/1) as empty with a specific action', () => {
    const [issue] = evaluateAll(withMask(okMask({ stats: { histogram: histogramWith(1000, { 1: 30 }) } }))).filter(
      (i) => i.ruleId === 'mask/empty',
    )
    expect(issue?.message).toContain('class indices')
    expect(issue?.message).toContain('255 (white)')
  })

  it('marks only the later copy of an exact duplicate and names the earlier one', () => {
    const issues = evaluateAll(CASES['duplicate/exact'].fail()).filter((i) => i.ruleId === 'duplicate/exact')
    expect(issues.map((i) => i.sampleId)).toEqual(['b'])
    expect(issues[0]?.details).toMatchObject({ duplicateOf: 'images/a.jpg' })
  })

  it('compares names case-insensitively in extension and after Unicode normalisation', () => {
    const nfd = 'cafe\u0301'
    const issues = evaluateAll({
      samples: [okSample('caf\u00e9')],
      existing: [{ relpath: `images/${nfd}.JPEG`, md5: fakeMd5() }],
    })
    expect(issues.map((i) => i.ruleId)).toContain('duplicate/name-collision')
  })

  it('uses the existing dataset as the reference for outliers', () => {
    const existing: DatasetIndexEntry[] = Array.from({ length: 20 }, (_, i) => ({
      relpath: `masks/old${String(i)}.png`,
      md5: fakeMd5(),
      foreground: 0.02 + (i % 3) * 0.005,
    }))
    const big = okSample('new', { mask: okMask({ stats: binaryMaskStats(1000, 1333, 400_000) }) })
    expect(evaluateAll({ samples: [big], existing }).map((i) => i.ruleId)).toContain('mask/foreground-outlier')
    expect(evaluateAll({ samples: [big] }).map((i) => i.ruleId)).not.toContain('mask/foreground-outlier')
  })
})
