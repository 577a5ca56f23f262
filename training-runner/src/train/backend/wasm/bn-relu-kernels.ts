import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs'
import { bnReluBackward, bnReluForward } from '../../ops/bn-relu-math.js'
import { BN_RELU, BN_RELU_GRAD } from '../../ops/bn-relu.js'
import { simdKernels } from './simd/simd-kernels.js'
import { asWasmBackend, HeapScratch, heapView, tensorData, type WasmBackend } from './wasm-internals.js'

/** Fused BatchNorm + ReLU (training mode) for the wasm backend: the maths runs in JS on views of the heap. */
function bnReluWasm(args: {
  inputs: { x: TensorInfo; bias: TensorInfo; gamma: TensorInfo; beta: TensorInfo }
  backend: unknown
  attrs: NamedAttrMap
}): TensorInfo[] {
  const backend = asWasmBackend(args.backend)
  const { x, bias, gamma, beta } = args.inputs
  const epsilon = args.attrs.epsilon as number
  const channels = gamma.shape[0] ?? 0
  const y = backend.makeOutput(x.shape, 'float32')
  const mean = backend.makeOutput([channels], 'float32')
  const variance = backend.makeOutput([channels], 'float32')
  const simd = simdKernels(backend)
  if (simd !== null && channels % 4 === 0) {
    forwardSimd(backend, simd, x, gamma, beta, epsilon, y, mean, variance)
  } else {
    bnReluForward(
      heapView(backend, x),
      heapView(backend, gamma),
      heapView(backend, beta),
      epsilon,
      heapView(backend, y),
      heapView(backend, mean),
      heapView(backend, variance),
    )
  }
  const meanView = heapView(backend, mean)
  // Report the statistics of x + bias (what PyTorch's BatchNorm sees after a biased conv).
  const biasView = heapView(backend, bias)
  for (let c = 0; c < channels; c += 1) meanView[c] = (meanView[c] as number) + (biasView[c] as number)
  return [y, mean, variance]
}

function bnReluGradWasm(args: {
  inputs: Record<'dy' | 'x' | 'bias' | 'gamma' | 'y' | 'mean' | 'variance', TensorInfo>
  backend: unknown
  attrs: NamedAttrMap
}): TensorInfo[] {
  const backend = asWasmBackend(args.backend)
  const { dy, x, bias, gamma, y, mean, variance } = args.inputs
  const epsilon = args.attrs.epsilon as number
  const channels = gamma.shape[0] ?? 0
  const dx = backend.makeOutput(x.shape, 'float32')
  const dBias = backend.makeOutput([channels], 'float32')
  const dGamma = backend.makeOutput([channels], 'float32')
  const dBeta = backend.makeOutput([channels], 'float32')
  const meanOfX = new Float32Array(channels)
  const meanView = heapView(backend, mean)
  const biasView = heapView(backend, bias)
  for (let c = 0; c < channels; c += 1) meanOfX[c] = (meanView[c] as number) - (biasView[c] as number)
  const simd = simdKernels(backend)
  if (simd !== null && channels % 4 === 0) {
    backwardSimd(backend, simd, { dy, x, y, gamma, variance }, meanOfX, epsilon, { dx, dBias, dGamma, dBeta })
  } else {
    bnReluBackward(
      heapView(backend, dy),
      heapView(backend, x),
      heapView(backend, y),
      meanOfX,
      heapView(backend, variance),
      heapView(backend, gamma),
      epsilon,
      heapView(backend, dx),
      heapView(backend, dGamma),
      heapView(backend, dBeta),
      heapView(backend, dBias),
    )
  }
  return [dx, dBias, dGamma, dBeta]
}

const offset = (backend: WasmBackend, t: TensorInfo): number => tensorData(backend, t).memoryOffset

/** Forward with the SIMD kernels: one pass for the f64 sums, one for y = max(0, x·scale + shift). */
function forwardSimd(
  backend: WasmBackend,
  simd: NonNullable<ReturnType<typeof simdKernels>>,
  x: TensorInfo,
  gamma: TensorInfo,
  beta: TensorInfo,
  epsilon: number,
  y: TensorInfo,
  mean: TensorInfo,
  variance: TensorInfo,
): void {
  const channels = gamma.shape[0] ?? 0
  const rows = x.shape.reduce((a, b) => a * b, 1) / channels
  // bytes: f64 sums and sums of squares (16·C) | f32 scale (4·C) | f32 shift (4·C)
  const scratch = new HeapScratch(backend, 6 * channels)
  try {
    simd.bn_stats(offset(backend, x), rows, channels, scratch.pointer)
    const sums = new Float64Array(backend.wasm.HEAPF32.buffer, scratch.pointer, 2 * channels)
    const coefficients = new Float32Array(backend.wasm.HEAPF32.buffer, scratch.pointer + 16 * channels, 2 * channels)
    const g = heapView(backend, gamma)
    const b = heapView(backend, beta)
    const m = heapView(backend, mean)
    const v = heapView(backend, variance)
    for (let c = 0; c < channels; c += 1) {
      const mu = (sums[c] as number) / rows
      const va = Math.max(0, (sums[channels + c] as number) / rows - mu * mu)
      m[c] = mu
      v[c] = va
      const s = (g[c] as number) / Math.sqrt(va + epsilon)
      coefficients[c] = s
      coefficients[channels + c] = (b[c] as number) - mu * s
    }
    simd.bn_apply(
      offset(backend, x),
      offset(backend, y),
      rows,
      channels,
      scratch.pointer + 16 * channels,
      scratch.pointer + 20 * channels,
    )
  } finally {
    scratch.release()
  }
}

/** Backward with the SIMD kernels: one reducing pass, one writing dx (and its per-channel sums). */
function backwardSimd(
  backend: WasmBackend,
  simd: NonNullable<ReturnType<typeof simdKernels>>,
  inputs: { dy: TensorInfo; x: TensorInfo; y: TensorInfo; gamma: TensorInfo; variance: TensorInfo },
  meanOfX: Float32Array,
  epsilon: number,
  outputs: { dx: TensorInfo; dBias: TensorInfo; dGamma: TensorInfo; dBeta: TensorInfo },
): void {
  const channels = inputs.gamma.shape[0] ?? 0
  const rows = inputs.x.shape.reduce((a, b) => a * b, 1) / channels
  // layout (floats): f64 sums 4·C | mean C | k1 C | k2 C | k3 C
  const scratch = new HeapScratch(backend, 8 * channels)
  try {
    const base = scratch.pointer
    const meanPtr = base + 16 * channels
    const f32 = (at: number): Float32Array => new Float32Array(backend.wasm.HEAPF32.buffer, at, channels)
    f32(meanPtr).set(meanOfX)
    simd.bn_grad_reduce(
      offset(backend, inputs.dy),
      offset(backend, inputs.x),
      offset(backend, inputs.y),
      meanPtr,
      rows,
      channels,
      base,
    )
    const sums = new Float64Array(backend.wasm.HEAPF32.buffer, base, 2 * channels)
    const variance = heapView(backend, inputs.variance)
    const gamma = heapView(backend, inputs.gamma)
    const dGamma = heapView(backend, outputs.dGamma)
    const dBeta = heapView(backend, outputs.dBeta)
    const k1 = f32(meanPtr + 4 * channels)
    const k2 = f32(meanPtr + 8 * channels)
    const k3 = f32(meanPtr + 12 * channels)
    for (let c = 0; c < channels; c += 1) {
      const r = 1 / Math.sqrt((variance[c] as number) + epsilon)
      const g = gamma[c] as number
      const sumDz = sums[c] as number
      const sumDzXc = sums[channels + c] as number
      dGamma[c] = sumDzXc * r
      dBeta[c] = sumDz
      k1[c] = g * r
      k2[c] = (g * r * sumDz) / rows
      k3[c] = (g * r * r * r * sumDzXc) / rows
    }
    simd.bn_grad_apply(
      offset(backend, inputs.dy),
      offset(backend, inputs.x),
      offset(backend, inputs.y),
      meanPtr,
      meanPtr + 4 * channels,
      meanPtr + 8 * channels,
      meanPtr + 12 * channels,
      offset(backend, outputs.dx),
      rows,
      channels,
      base,
    )
    const totals = new Float64Array(backend.wasm.HEAPF32.buffer, base, channels)
    const dBias = heapView(backend, outputs.dBias)
    for (let c = 0; c < channels; c += 1) dBias[c] = totals[c] as number
  } finally {
    scratch.release()
  }
}

export const bnReluWasmConfig: KernelConfig = {
  kernelName: BN_RELU,
  backendName: 'wasm',
  kernelFunc: bnReluWasm as unknown as KernelFunc,
}

export const bnReluGradWasmConfig: KernelConfig = {
  kernelName: BN_RELU_GRAD,
  backendName: 'wasm',
  kernelFunc: bnReluGradWasm as unknown as KernelFunc,
}
