/**
 * A 64-bit DCT perceptual hash (pHash): the sign pattern of the lowest 8×8 frequencies of a 32×32 grey picture
 * against their median. Resizing, recompression and small colour shifts move it by a few bits; a different photo
 * by about 32. Pure: the runner supplies the 32×32 grey pixels (decoded at reduced size, EXIF orientation applied),
 * so the app, the hook and CI compute identical hashes.
 */

/** Side of the grey picture the hash is computed from. */
export const PHASH_SIZE = 32
const LOW = 8

const COSINES: Float64Array = (() => {
  const table = new Float64Array(LOW * PHASH_SIZE)
  for (let u = 0; u < LOW; u += 1) {
    for (let x = 0; x < PHASH_SIZE; x += 1) {
      table[u * PHASH_SIZE + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * PHASH_SIZE))
    }
  }
  return table
})()

/**
 * The pHash of a {@link PHASH_SIZE}² grey picture (row-major, one byte per pixel) as 16 lower-case hex digits.
 * Throws when the picture has the wrong size (a programming error, not bad data).
 */
export function perceptualHash(grey: ArrayLike<number>): string {
  if (grey.length !== PHASH_SIZE * PHASH_SIZE) {
    throw new RangeError(
      `perceptualHash needs ${String(PHASH_SIZE * PHASH_SIZE)} grey values, got ${String(grey.length)}`,
    )
  }
  // Separable DCT-II, only the LOW×LOW lowest frequencies: rows first, then columns.
  const rows = new Float64Array(PHASH_SIZE * LOW)
  for (let y = 0; y < PHASH_SIZE; y += 1) {
    for (let u = 0; u < LOW; u += 1) {
      let sum = 0
      for (let x = 0; x < PHASH_SIZE; x += 1)
        sum += (grey[y * PHASH_SIZE + x] ?? 0) * (COSINES[u * PHASH_SIZE + x] ?? 0)
      rows[y * LOW + u] = sum
    }
  }
  const coefficients = new Float64Array(LOW * LOW)
  for (let v = 0; v < LOW; v += 1) {
    for (let u = 0; u < LOW; u += 1) {
      let sum = 0
      for (let y = 0; y < PHASH_SIZE; y += 1) sum += (rows[y * LOW + u] ?? 0) * (COSINES[v * PHASH_SIZE + y] ?? 0)
      coefficients[v * LOW + u] = sum
    }
  }
  const sorted = [...coefficients].sort((a, b) => a - b)
  const middle = ((sorted[31] ?? 0) + (sorted[32] ?? 0)) / 2
  let hex = ''
  for (let nibble = 0; nibble < 16; nibble += 1) {
    let value = 0
    for (let bit = 0; bit < 4; bit += 1) value = (value << 1) | ((coefficients[nibble * 4 + bit] ?? 0) > middle ? 1 : 0)
    hex += value.toString(16)
  }
  return hex
}

/** A 64-bit hash as two 32-bit words (high, low), for fast repeated comparisons. */
export type HashWords = readonly [number, number]

/** Parses a 16-hex-digit hash into {@link HashWords}. */
export function hashWords(hex: string): HashWords {
  return [Number.parseInt(hex.slice(0, 8), 16) >>> 0, Number.parseInt(hex.slice(8, 16), 16) >>> 0]
}

function popcount32(value: number): number {
  let v = value - ((value >>> 1) & 0x55555555)
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333)
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff
}

/** Number of differing bits between two parsed hashes. */
export function hammingWords(a: HashWords, b: HashWords): number {
  return popcount32((a[0] ^ b[0]) >>> 0) + popcount32((a[1] ^ b[1]) >>> 0)
}

/** Number of differing bits between two 64-bit hashes (16 hex digits each). */
export function hammingDistance(a: string, b: string): number {
  return hammingWords(hashWords(a), hashWords(b))
}

/**
 * Perceptual hashes in flat arrays for nearest-neighbour search by brute force: a few million comparisons per
 * second-scale dataset, with no allocation in the inner loop.
 */
export class HashTable {
  private high = new Uint32Array(64)
  private low = new Uint32Array(64)
  private count = 0

  /** Number of hashes added. */
  get size(): number {
    return this.count
  }

  /** Adds a hash; returns its index. */
  add(words: HashWords): number {
    if (this.count === this.high.length) {
      const high = new Uint32Array(this.count * 2)
      const low = new Uint32Array(this.count * 2)
      high.set(this.high)
      low.set(this.low)
      this.high = high
      this.low = low
    }
    this.high[this.count] = words[0]
    this.low[this.count] = words[1]
    this.count += 1
    return this.count - 1
  }

  /** The closest hash within `limit` bits (the first on ties), or `undefined`. */
  nearest(words: HashWords, limit: number): { index: number; distance: number } | undefined {
    const [high, low] = words
    let bestIndex = -1
    let bestDistance = limit + 1
    for (let index = 0; index < this.count; index += 1) {
      const distance =
        popcount32((high ^ (this.high[index] ?? 0)) >>> 0) + popcount32((low ^ (this.low[index] ?? 0)) >>> 0)
      if (distance < bestDistance) {
        bestDistance = distance
        bestIndex = index
        if (distance === 0) break
      }
    }
    return bestIndex < 0 ? undefined : { index: bestIndex, distance: bestDistance }
  }
}
