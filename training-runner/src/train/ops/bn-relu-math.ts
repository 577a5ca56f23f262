/**
 * Batch normalisation + ReLU in training mode, forward and backward, on plain Float32Arrays in NHWC order
 * (channels innermost). Backend-free maths, used by the wasm kernels (on heap views). Statistics accumulate in
 * float64, so the one-pass variance is as accurate as tfjs's two-pass float32 `moments`.
 */

/** Forward: y = max(0, (x − mean)·γ/√(var + ε) + β); returns the batch mean and (biased) variance of x. */
export function bnReluForward(
  x: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  epsilon: number,
  y: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
): void {
  const channels = gamma.length
  const count = x.length / channels
  const sum = new Float64Array(channels)
  const sumSq = new Float64Array(channels)
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c += 1) {
      const v = x[i + c] as number
      sum[c] = (sum[c] as number) + v
      sumSq[c] = (sumSq[c] as number) + v * v
    }
  }
  const scale = new Float32Array(channels)
  const shift = new Float32Array(channels)
  for (let c = 0; c < channels; c += 1) {
    const m = (sum[c] as number) / count
    const v = Math.max(0, (sumSq[c] as number) / count - m * m)
    mean[c] = m
    variance[c] = v
    const s = (gamma[c] as number) / Math.sqrt(v + epsilon)
    scale[c] = s
    shift[c] = (beta[c] as number) - m * s
  }
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c += 1) {
      const v = (x[i + c] as number) * (scale[c] as number) + (shift[c] as number)
      y[i + c] = v > 0 ? v : 0
    }
  }
}

/**
 * Backward of {@link bnReluForward}. `y` is the forward output (its sign is the ReLU mask). Writes dx and the
 * per-channel gradients of γ and β; `dxSum` gets Σ dx per channel, the gradient of a bias added to x before the
 * normalisation (analytically zero, computed anyway so the conv bias keeps PyTorch's semantics).
 */
export function bnReluBackward(
  dy: Float32Array,
  x: Float32Array,
  y: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
  gamma: Float32Array,
  epsilon: number,
  dx: Float32Array,
  dGamma: Float32Array,
  dBeta: Float32Array,
  dxSum: Float32Array,
): void {
  const channels = gamma.length
  const count = x.length / channels
  const sumDz = new Float64Array(channels)
  const sumDzXc = new Float64Array(channels)
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c += 1) {
      if ((y[i + c] as number) > 0) {
        const d = dy[i + c] as number
        sumDz[c] = (sumDz[c] as number) + d
        sumDzXc[c] = (sumDzXc[c] as number) + d * ((x[i + c] as number) - (mean[c] as number))
      }
    }
  }
  // dx = γ·r·(dz − mean(dz) − x̂·mean(dz·x̂)),  x̂ = (x − μ)·r,  r = 1/√(var + ε)
  const k1 = new Float32Array(channels) // γ·r
  const k2 = new Float32Array(channels) // γ·r·mean(dz)
  const k3 = new Float32Array(channels) // γ·r³·mean(dz·(x−μ)), the coefficient of (x − μ)
  for (let c = 0; c < channels; c += 1) {
    const r = 1 / Math.sqrt((variance[c] as number) + epsilon)
    const g = gamma[c] as number
    dGamma[c] = (sumDzXc[c] as number) * r
    dBeta[c] = sumDz[c] as number
    const a = g * r
    const b = (g * r * r * r * (sumDzXc[c] as number)) / count
    k1[c] = a
    k3[c] = b
    k2[c] = (a * (sumDz[c] as number)) / count
  }
  const total = new Float64Array(channels)
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c += 1) {
      const dz = (y[i + c] as number) > 0 ? (dy[i + c] as number) : 0
      const v =
        (k1[c] as number) * dz - (k2[c] as number) - (k3[c] as number) * ((x[i + c] as number) - (mean[c] as number))
      dx[i + c] = v
      total[c] = (total[c] as number) + v
    }
  }
  for (let c = 0; c < channels; c += 1) dxSum[c] = total[c] as number
}
