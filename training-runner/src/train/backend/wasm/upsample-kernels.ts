import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs'
import { upsampleAxis, upsampleAxisBackward } from '../../ops/upsample-math.js'
import { UPSAMPLE_2X, UPSAMPLE_2X_GRAD } from '../../ops/upsample.js'
import { simdKernels } from './simd/simd-kernels.js'
import { asWasmBackend, HeapScratch, heapView, tensorData } from './wasm-internals.js'

/** 2× half-pixel bilinear upsampling (forward): W pass into scratch, then H pass into the output. */
function upsampleWasm(args: { inputs: { x: TensorInfo }; backend: unknown }): TensorInfo {
  const backend = asWasmBackend(args.backend)
  const { x } = args.inputs
  const [n, h, w, c] = x.shape as [number, number, number, number]
  const out = backend.makeOutput([n, 2 * h, 2 * w, c], 'float32')
  const wide = new HeapScratch(backend, n * h * 2 * w * c)
  try {
    const simd = simdKernels(backend)
    if (simd !== null && c % 4 === 0) {
      simd.upsample_axis(tensorData(backend, x).memoryOffset, wide.pointer, n * h, w, c)
      simd.upsample_axis(wide.pointer, tensorData(backend, out).memoryOffset, n, h, 2 * w * c)
    } else {
      const wideView = wide.view()
      upsampleAxis(heapView(backend, x), wideView, n * h, w, c)
      upsampleAxis(wideView, heapView(backend, out), n, h, 2 * w * c)
    }
  } finally {
    wide.release()
  }
  return out
}

function upsampleGradWasm(args: { inputs: { dy: TensorInfo }; backend: unknown }): TensorInfo {
  const backend = asWasmBackend(args.backend)
  const { dy } = args.inputs
  const [n, h2, w2, c] = dy.shape as [number, number, number, number]
  const h = h2 / 2
  const w = w2 / 2
  const dx = backend.makeOutput([n, h, w, c], 'float32')
  const wide = new HeapScratch(backend, n * h * w2 * c)
  try {
    const simd = simdKernels(backend)
    if (simd !== null && c % 4 === 0) {
      simd.upsample_axis_back(tensorData(backend, dy).memoryOffset, wide.pointer, n, h, w2 * c)
      simd.upsample_axis_back(wide.pointer, tensorData(backend, dx).memoryOffset, n * h, w, c)
    } else {
      const wideView = wide.view()
      upsampleAxisBackward(heapView(backend, dy), wideView, n, h, w2 * c)
      upsampleAxisBackward(wideView, heapView(backend, dx), n * h, w, c)
    }
  } finally {
    wide.release()
  }
  return dx
}

export const upsampleWasmConfig: KernelConfig = {
  kernelName: UPSAMPLE_2X,
  backendName: 'wasm',
  kernelFunc: upsampleWasm as unknown as KernelFunc,
}

export const upsampleGradWasmConfig: KernelConfig = {
  kernelName: UPSAMPLE_2X_GRAD,
  backendName: 'wasm',
  kernelFunc: upsampleGradWasm as unknown as KernelFunc,
}
