import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs'
import { bnReluBackward, bnReluForward } from '../../ops/bn-relu-math.js'
import { BN_RELU, BN_RELU_GRAD } from '../../ops/bn-relu.js'
import { asWasmBackend, heapView } from './wasm-internals.js'

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
  const meanView = heapView(backend, mean)
  bnReluForward(
    heapView(backend, x),
    heapView(backend, gamma),
    heapView(backend, beta),
    epsilon,
    heapView(backend, y),
    meanView,
    heapView(backend, variance),
  )
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
  return [dx, dBias, dGamma, dBeta]
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
