/**
 * 2× bilinear upsampling with half-pixel centres (PyTorch's `interpolate(scale 2, bilinear, align_corners=False)`),
 * on plain Float32Arrays. Separable: one 1-D pass per axis. Along an axis of length L, output 2k takes
 * ¾·in[k] + ¼·in[k−1] and output 2k+1 takes ¾·in[k] + ¼·in[k+1], indices clamped to [0, L−1].
 *
 * tfjs has `resizeBilinear(…, halfPixelCenters=true)` forward, but its gradient kernels ignore
 * `halfPixelCenters`, so training through it would use the wrong gradient; this op has its own.
 */

/** One forward pass along an axis: `src` is [outer, length, inner], `dst` is [outer, 2·length, inner]. */
export function upsampleAxis(src: Float32Array, dst: Float32Array, outer: number, length: number, inner: number): void {
  for (let o = 0; o < outer; o += 1) {
    const srcBase = o * length * inner
    const dstBase = o * 2 * length * inner
    for (let k = 0; k < length; k += 1) {
      const here = srcBase + k * inner
      const before = srcBase + (k > 0 ? k - 1 : 0) * inner
      const after = srcBase + (k < length - 1 ? k + 1 : k) * inner
      const even = dstBase + 2 * k * inner
      const odd = even + inner
      for (let i = 0; i < inner; i += 1) {
        const centre = 0.75 * (src[here + i] as number)
        dst[even + i] = centre + 0.25 * (src[before + i] as number)
        dst[odd + i] = centre + 0.25 * (src[after + i] as number)
      }
    }
  }
}

/** The transpose of {@link upsampleAxis}: `dOut` is [outer, 2·length, inner], `dIn` is [outer, length, inner]. */
export function upsampleAxisBackward(
  dOut: Float32Array,
  dIn: Float32Array,
  outer: number,
  length: number,
  inner: number,
): void {
  dIn.fill(0, 0, outer * length * inner)
  for (let o = 0; o < outer; o += 1) {
    const inBase = o * length * inner
    const outBase = o * 2 * length * inner
    for (let k = 0; k < length; k += 1) {
      const here = inBase + k * inner
      const before = inBase + (k > 0 ? k - 1 : 0) * inner
      const after = inBase + (k < length - 1 ? k + 1 : k) * inner
      const even = outBase + 2 * k * inner
      const odd = even + inner
      for (let i = 0; i < inner; i += 1) {
        const e = dOut[even + i] as number
        const d = dOut[odd + i] as number
        dIn[here + i] = (dIn[here + i] as number) + 0.75 * (e + d)
        dIn[before + i] = (dIn[before + i] as number) + 0.25 * e
        dIn[after + i] = (dIn[after + i] as number) + 0.25 * d
      }
    }
  }
}
