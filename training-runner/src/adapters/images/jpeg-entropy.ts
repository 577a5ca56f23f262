/**
 * The pieces of a baseline JPEG decoder that {@link jpegMaskStats} needs, written to give exactly what libjpeg
 * (libjpeg-turbo/mozjpeg, inside libvips) gives: Huffman tables built and checked like `jpeg_make_d_derived_tbl`,
 * a bit reader that stops at markers, and the accurate integer IDCT (`jpeg_idct_islow`, jidctint.c) with its
 * range limiting. Whatever could make libjpeg's C and SIMD code disagree (coefficients a real encoder never
 * writes) is reported as a failure, so the caller leaves that file to libvips.
 */

/** Bits resolved by one table look-up; longer codes take the canonical-code walk. */
const FAST_BITS = 9

/** A Huffman table: a {@link FAST_BITS} look-up (length << 8 | symbol, 0 when longer) and the canonical limits. */
export interface HuffmanTable {
  fast: Int32Array
  /** Largest code of each length (−1 when none), indexed 1–16. */
  maxCode: Int32Array
  /** Symbol index minus code, for each length. */
  valueOffset: Int32Array
  symbols: Uint8Array
}

/**
 * Builds a table from the DHT code counts (16) and symbols, or undefined where libjpeg stops with "Bogus Huffman
 * table definition" (a code set that overflows its lengths).
 */
export function buildHuffmanTable(counts: Uint8Array, symbols: Uint8Array): HuffmanTable | undefined {
  const fast = new Int32Array(1 << FAST_BITS)
  const maxCode = new Int32Array(18).fill(-1)
  const valueOffset = new Int32Array(18)
  let lastLength = 0
  for (let length = 1; length <= 16; length += 1) if ((counts[length - 1] ?? 0) > 0) lastLength = length
  let code = 0
  let index = 0
  for (let length = 1; length <= lastLength; length += 1) {
    const count = counts[length - 1] ?? 0
    if (count > 0) {
      valueOffset[length] = index - code
      for (let n = 0; n < count; n += 1) {
        if (length <= FAST_BITS) {
          const shift = FAST_BITS - length
          const entry = (length << 8) | (symbols[index] ?? 0)
          fast.fill(entry, code << shift, (code + 1) << shift)
        }
        code += 1
        index += 1
      }
      maxCode[length] = code - 1
    }
    if (code >= 1 << length) return undefined
    code <<= 1
  }
  return { fast, maxCode, valueOffset, symbols }
}

/**
 * Reads entropy-coded bits: unstuffs 0xFF 0x00, and stops at a marker (or the end of the data), after which it
 * feeds zero bits — as libjpeg does — while counting them, so that {@link overran} can say whether any were used
 * (libjpeg's "premature end of data segment" warning).
 */
export class JpegBitReader {
  private buffer = 0
  private count = 0
  /** Zero bits fed after the data stopped, at the low end of the buffer. */
  private padding = 0
  private stopped = false
  private at: number

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
  ) {
    this.at = start
  }

  private fill(): void {
    const bytes = this.bytes
    while (this.count <= 24) {
      let byte = 0
      if (!this.stopped) {
        const value = bytes[this.at]
        if (value === undefined) this.stopped = true
        else if (value !== 0xff) {
          byte = value
          this.at += 1
        } else if (bytes[this.at + 1] === 0) {
          byte = 0xff
          this.at += 2
        } else this.stopped = true
      }
      if (this.stopped) this.padding += 8
      this.buffer = (this.buffer << 8) | byte
      this.count += 8
    }
  }

  /** The next Huffman symbol, or −1 for a code that is not in the table. */
  decode(table: HuffmanTable): number {
    if (this.count < 16) this.fill()
    const entry = table.fast[(this.buffer >>> (this.count - FAST_BITS)) & ((1 << FAST_BITS) - 1)] ?? 0
    if (entry > 0) {
      this.count -= entry >> 8
      return entry & 0xff
    }
    const bits = (this.buffer >>> (this.count - 16)) & 0xffff
    for (let length = FAST_BITS + 1; length <= 16; length += 1) {
      const code = bits >>> (16 - length)
      if (code <= (table.maxCode[length] ?? -1)) {
        this.count -= length
        return table.symbols[code + (table.valueOffset[length] ?? 0)] ?? -1
      }
    }
    return -1
  }

  /** `size` more bits as a signed coefficient (JPEG's EXTEND). */
  receiveExtend(size: number): number {
    if (this.count < size) this.fill()
    const value = (this.buffer >>> (this.count - size)) & ((1 << size) - 1)
    this.count -= size
    return value < 1 << (size - 1) ? value - (1 << size) + 1 : value
  }

  /** Whether any bit past the data's end was used. */
  overran(): boolean {
    return this.count < this.padding
  }

  /**
   * Whether the data ends cleanly: less than one byte of padding bits left, and the next marker (after optional
   * 0xFF fill bytes) is `endMarker`. Leftover bytes are libjpeg's "extraneous bytes before marker" warning.
   */
  endsAtEndOfImage(endMarker: number): boolean {
    if (this.overran() || this.count - this.padding >= 8) return false
    let at = this.at
    if (this.bytes[at] !== 0xff) return false
    while (this.bytes[at] === 0xff) at += 1
    return this.bytes[at] === endMarker
  }
}

// jidctint.c: 13-bit fixed-point constants, 2 extra bits of precision between the passes.
const CONST_BITS = 13
const PASS1_BITS = 2
const FIX_0_298631336 = 2446
const FIX_0_390180644 = 3196
const FIX_0_541196100 = 4433
const FIX_0_765366865 = 6270
const FIX_0_899976223 = 7373
const FIX_1_175875602 = 9633
const FIX_1_501321110 = 12299
const FIX_1_847759065 = 15137
const FIX_1_961570560 = 16069
const FIX_2_053119869 = 16819
const FIX_2_562915447 = 20995
const FIX_3_072711026 = 25172
const ONE = 2 ** CONST_BITS
const PASS1_HALF = 2 ** (CONST_BITS - PASS1_BITS - 1)
const PASS1_SCALE = 2 ** -(CONST_BITS - PASS1_BITS)
const PASS2_HALF = 2 ** (CONST_BITS + PASS1_BITS + 3 - 1)
const PASS2_SCALE = 2 ** -(CONST_BITS + PASS1_BITS + 3)

/**
 * A pass-1 value the SIMD IDCT keeps in 16 bits, where sums of two stay exact; beyond it libjpeg's C and SIMD
 * code may differ.
 */
const MAX_WORKSPACE = 16383

/**
 * The sample libjpeg's range limit gives for an IDCT output (before the +128 level shift), or −1 outside ±512,
 * where its C table wraps around and its SIMD code saturates (never for a real encoder's data).
 */
export function sampleOf(value: number): number {
  if (value < -512 || value > 511) return -1
  return value < -128 ? 0 : value > 127 ? 255 : value + 128
}

/**
 * One 1-D pass of the islow IDCT over eight values `input[offset + stride·i]`, results into `output` the same way,
 * divided by 2^bits with rounding (libjpeg's DESCALE: `half` = 2^(bits−1), `scale` = 2^−bits). Doubles keep the
 * products exact where 32 bits might not.
 */
function idct1d(input: Int32Array, output: Int32Array, offset: number, stride: number, half: number, scale: number) {
  const s = stride
  let z2 = input[offset + 2 * s] ?? 0
  let z3 = input[offset + 6 * s] ?? 0
  let z1 = (z2 + z3) * FIX_0_541196100
  const even2 = z1 - z3 * FIX_1_847759065
  const even3 = z1 + z2 * FIX_0_765366865
  z2 = input[offset] ?? 0
  z3 = input[offset + 4 * s] ?? 0
  const even0 = (z2 + z3) * ONE
  const even1 = (z2 - z3) * ONE
  const tmp10 = even0 + even3 + half
  const tmp13 = even0 - even3 + half
  const tmp11 = even1 + even2 + half
  const tmp12 = even1 - even2 + half

  let tmp0 = input[offset + 7 * s] ?? 0
  let tmp1 = input[offset + 5 * s] ?? 0
  let tmp2 = input[offset + 3 * s] ?? 0
  let tmp3 = input[offset + s] ?? 0
  z1 = tmp0 + tmp3
  z2 = tmp1 + tmp2
  z3 = tmp0 + tmp2
  let z4 = tmp1 + tmp3
  const z5 = (z3 + z4) * FIX_1_175875602
  z1 *= -FIX_0_899976223
  z2 *= -FIX_2_562915447
  z3 = z3 * -FIX_1_961570560 + z5
  z4 = z4 * -FIX_0_390180644 + z5
  tmp0 = tmp0 * FIX_0_298631336 + z1 + z3
  tmp1 = tmp1 * FIX_2_053119869 + z2 + z4
  tmp2 = tmp2 * FIX_3_072711026 + z2 + z3
  tmp3 = tmp3 * FIX_1_501321110 + z1 + z4

  output[offset] = Math.floor((tmp10 + tmp3) * scale)
  output[offset + 7 * s] = Math.floor((tmp10 - tmp3) * scale)
  output[offset + s] = Math.floor((tmp11 + tmp2) * scale)
  output[offset + 6 * s] = Math.floor((tmp11 - tmp2) * scale)
  output[offset + 2 * s] = Math.floor((tmp12 + tmp1) * scale)
  output[offset + 5 * s] = Math.floor((tmp12 - tmp1) * scale)
  output[offset + 3 * s] = Math.floor((tmp13 + tmp0) * scale)
  output[offset + 4 * s] = Math.floor((tmp13 - tmp0) * scale)
}

const workspace = new Int32Array(64)
const rows = new Int32Array(64)

/**
 * libjpeg's accurate integer IDCT of one block of dequantised coefficients (natural order) into 64 samples;
 * false when a value leaves the range where libjpeg's C and SIMD code agree.
 */
export function idctBlock(coefficients: Int32Array, out: Uint8Array): boolean {
  // Pass 1: columns, results scaled up by 2^PASS1_BITS.
  for (let column = 0; column < 8; column += 1) {
    idct1d(coefficients, workspace, column, 8, PASS1_HALF, PASS1_SCALE)
  }
  for (const value of workspace) if (value > MAX_WORKSPACE || value < -MAX_WORKSPACE) return false
  // Pass 2: rows, descaled by 8 and by the pass-1 scaling.
  for (let row = 0; row < 8; row += 1) idct1d(workspace, rows, row * 8, 1, PASS2_HALF, PASS2_SCALE)
  for (let index = 0; index < 64; index += 1) {
    const sample = sampleOf(rows[index] ?? 0)
    if (sample < 0) return false
    out[index] = sample
  }
  return true
}
