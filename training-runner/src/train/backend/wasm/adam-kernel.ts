import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs'
import { ADAM_UPDATE, adamUpdateArrays } from '../../ops/adam.js'
import { asWasmBackend, heapView } from './wasm-internals.js'

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
  return [p2, m2, v2]
}

export const adamWasmConfig: KernelConfig = {
  kernelName: ADAM_UPDATE,
  backendName: 'wasm',
  kernelFunc: adamWasm as unknown as KernelFunc,
}
