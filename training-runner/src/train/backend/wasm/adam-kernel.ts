import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs'
import { ADAM_UPDATE, adamUpdateArrays } from '../../ops/adam.js'
import { simdKernels } from './simd/simd-kernels.js'
import { asWasmBackend, heapView, tensorData } from './wasm-internals.js'

/** One Adam step for one parameter in a single pass (instead of ~12 element-wise kernels). */
function adamWasm(args: {
  inputs: Record<'param' | 'grad' | 'm' | 'v', TensorInfo>
  backend: unknown
  attrs: NamedAttrMap
}): TensorInfo[] {
  const backend = asWasmBackend(args.backend)
  const { param, grad, m, v } = args.inputs
  const p2 = backend.makeOutput(param.shape, 'float32')
  const m2 = backend.makeOutput(param.shape, 'float32')
  const v2 = backend.makeOutput(param.shape, 'float32')
  const a = args.attrs as unknown as Parameters<typeof adamUpdateArrays>[4]
  const simd = simdKernels(backend)
  const size = param.shape.reduce((x, y) => x * y, 1)
  if (simd !== null && size % 4 === 0) {
    const at = (t: TensorInfo): number => tensorData(backend, t).memoryOffset
    simd.adam(
      at(param),
      at(grad),
      at(m),
      at(v),
      at(p2),
      at(m2),
      at(v2),
      size,
      a.weightDecay,
      a.beta1,
      a.beta2,
      a.learningRate / (1 - a.beta1 ** a.step),
      Math.sqrt(1 - a.beta2 ** a.step),
      a.epsilon,
    )
  } else {
    adamUpdateArrays(
      heapView(backend, param),
      heapView(backend, grad),
      heapView(backend, m),
      heapView(backend, v),
      a,
      heapView(backend, p2),
      heapView(backend, m2),
      heapView(backend, v2),
    )
  }
  return [p2, m2, v2]
}

export const adamWasmConfig: KernelConfig = {
  kernelName: ADAM_UPDATE,
  backendName: 'wasm',
  kernelFunc: adamWasm as unknown as KernelFunc,
}
