import { describe, expect, it } from 'vitest'
import { createPrng } from '../util/prng.js'
import { aggregateScores, hausdorffDistance, scoreMasks, squaredDistanceTransform } from './segmentation.js'

const mask = (rows: string[]): { data: Uint8Array; width: number; height: number } => ({
  data: Uint8Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0)),
  width: rows[0]?.length ?? 0,
  height: rows.length,
})

function bruteHausdorff(a: Uint8Array, b: Uint8Array, width: number): number {
  const points = (m: Uint8Array): [number, number][] =>
    [...m].flatMap((v, i) => (v !== 0 ? [[i % width, Math.floor(i / width)] as [number, number]] : []))
  const directed = (p: [number, number][], q: [number, number][]): number =>
    Math.max(...p.map(([x, y]) => Math.min(...q.map(([u, v]) => Math.hypot(x - u, y - v)))))
  return Math.max(directed(points(a), points(b)), directed(points(b), points(a)))
}

describe('segmentation metrics', () => {
  it.each([
    {
      name: 'identical masks',
      p: ['.##.', '.##.', '....'],
      g: ['.##.', '.##.', '....'],
      expected: { dice: 1, iou: 1, accuracy: 1, hausdorff: 0 },
    },
    {
      name: 'both empty (old rule: perfect, Hausdorff 0)',
      p: ['....', '....'],
      g: ['....', '....'],
      expected: { dice: 1, iou: 1, accuracy: 1, hausdorff: 0 },
    },
    {
      name: 'empty prediction (old rule: Hausdorff = image diagonal)',
      p: ['....', '....', '....'],
      g: ['.#..', '....', '....'],
      expected: { dice: 1e-6 / (1 + 1e-6), iou: 1e-6 / (1 + 1e-6), accuracy: 11 / 12, hausdorff: 5 },
    },
    {
      name: 'half overlap',
      p: ['##..', '....'],
      g: ['.##.', '....'],
      expected: { dice: (2 + 1e-6) / (4 + 1e-6), iou: (1 + 1e-6) / (3 + 1e-6), accuracy: 6 / 8, hausdorff: 1 },
    },
  ])('$name', ({ p, g, expected }) => {
    const a = mask(p)
    const b = mask(g)
    const scores = scoreMasks(a.data, b.data, a.width, a.height)
    expect(scores.dice).toBeCloseTo(expected.dice, 9)
    expect(scores.iou).toBeCloseTo(expected.iou, 9)
    expect(scores.accuracy).toBeCloseTo(expected.accuracy, 9)
    expect(scores.hausdorff).toBeCloseTo(expected.hausdorff, 9)
  })

  it('computes the exact Hausdorff distance (random masks vs brute force)', () => {
    const prng = createPrng(7)
    for (let trial = 0; trial < 30; trial += 1) {
      const width = prng.int(3, 17)
      const height = prng.int(3, 13)
      const a = Uint8Array.from({ length: width * height }, () => (prng.chance(0.15) ? 1 : 0))
      const b = Uint8Array.from({ length: width * height }, () => (prng.chance(0.15) ? 1 : 0))
      a[0] = 1
      b[b.length - 1] = 1
      expect(hausdorffDistance(a, b, width, height)).toBeCloseTo(bruteHausdorff(a, b, width), 9)
    }
  })

  it('has a correct squared distance transform', () => {
    const m = mask(['#....', '.....', '....#'])
    const d = squaredDistanceTransform(m.data, m.width, m.height)
    expect(d[0]).toBe(0)
    expect(d[2]).toBe(4)
    expect(d[7]).toBe(5) // (2, 1): (0, 0) and (4, 2) are both 2² + 1² away
  })

  it('aggregates per-image scores by their mean', () => {
    const agg = aggregateScores([
      { dice: 1, iou: 1, accuracy: 1, hausdorff: 0 },
      { dice: 0.5, iou: 0.25, accuracy: 0.5, hausdorff: 10 },
    ])
    expect(agg).toEqual({ count: 2, dice: 0.75, iou: 0.625, accuracy: 0.75, hausdorff: 5 })
  })

  it('rejects masks of different sizes', () => {
    expect(() => scoreMasks(new Uint8Array(4), new Uint8Array(5), 2, 2)).toThrow(/sizes differ/)
  })
})
