import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs'
import { CONCAT_CHANNELS, SPLIT_CHANNELS } from '../../ops/concat-channels.js'
import { simdKernels } from './simd/simd-kernels.js'
import { asWasmBackend, heapView, tensorData } from './wasm-internals.js'

function concatWasm(args: { inputs: { a: TensorInfo; b: TensorInfo }; backend: unknown }): TensorInfo {
  const backend = asWasmBackend(args.backend)
  const { a, b } = args.inputs
  const [n, h, w, ca] = a.shape as [number, number, number, number]
  const cb = b.shape[3] ?? 0
  const out = backend.makeOutput([n, h, w, ca + cb], 'float32')
  const pixels = n * h * w
  const simd = simdKernels(backend)
  if (simd !== null) {
    const at = (t: TensorInfo): number => tensorData(backend, t).memoryOffset
    simd.interleave2(at(a), at(b), at(out), pixels, ca * 4, cb * 4)
  } else {
    const [av, bv, ov] = [heapView(backend, a), heapView(backend, b), heapView(backend, out)]
    for (let p = 0; p < pixels; p += 1) {
      ov.set(av.subarray(p * ca, (p + 1) * ca), p * (ca + cb))
      ov.set(bv.subarray(p * cb, (p + 1) * cb), p * (ca + cb) + ca)
    }
  }
  return out
}

function splitWasm(args: { inputs: { x: TensorInfo }; backend: unknown; attrs: NamedAttrMap }): TensorInfo[] {
  const backend = asWasmBackend(args.backend)
  const { x } = args.inputs
  const [n, h, w, c] = x.shape as [number, number, number, number]
  const ca = args.attrs.channels as number
  const cb = c - ca
  const a = backend.makeOutput([n, h, w, ca], 'float32')
  const b = backend.makeOutput([n, h, w, cb], 'float32')
  const pixels = n * h * w
  const simd = simdKernels(backend)
  if (simd !== null) {
    const at = (t: TensorInfo): number => tensorData(backend, t).memoryOffset
    simd.deinterleave2(at(x), at(a), at(b), pixels, ca * 4, cb * 4)
  } else {
    const [xv, av, bv] = [heapView(backend, x), heapView(backend, a), heapView(backend, b)]
    for (let p = 0; p < pixels; p += 1) {
      av.set(xv.subarray(p * c, p * c + ca), p * ca)
      bv.set(xv.subarray(p * c + ca, (p + 1) * c), p * cb)
    }
  }
  return [a, b]
}

export const concatChannelsWasmConfig: KernelConfig = {
  kernelName: CONCAT_CHANNELS,
  backendName: 'wasm',
  kernelFunc: concatWasm as unknown as KernelFunc,
}

export const splitChannelsWasmConfig: KernelConfig = {
  kernelName: SPLIT_CHANNELS,
  backendName: 'wasm',
  kernelFunc: splitWasm as unknown as KernelFunc,
}
