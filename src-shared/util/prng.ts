/**
 * A small, fast, seeded pseudo-random generator (mulberry32).
 *
 * Deterministic across platforms and runs, so generated datasets, splits and augmentations repeat exactly.
 */
export interface Prng {
  /** Uniform float in [0, 1). */
  next(): number
  /** Uniform float in [min, max). */
  uniform(min: number, max: number): number
  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number
  /** True with probability `p`. */
  chance(p: number): boolean
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T
}

/** Creates a {@link Prng} from a 32-bit seed. */
export function createPrng(seed: number): Prng {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    uniform: (min, max) => min + (max - min) * next(),
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error('pick() needs a non-empty array')
      return items[Math.floor(next() * items.length)] as T
    },
  }
}
