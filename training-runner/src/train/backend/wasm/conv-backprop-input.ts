import {
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs'
import { simdKernels } from './simd/simd-kernels.js'
import { asWasmBackend, HeapScratch, heapView, stride1ConvInfo, tensorData, wasmConv } from './wasm-internals.js'

/**
 * The convolution input gradient for tfjs-backend-wasm. The stock kernel is a naive loop (8× slower than this
 * at 128², per the perf study); for stride 1 the gradient is a forward XNNPACK convolution of dy with the
 * filter rotated by 180° and its channel axes swapped, padded by `k − 1 − pad` on each side.
 */
function conv2DBackpropInputWasm(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo }
  backend: unknown
  attrs: Conv2DBackpropInputAttrs
}): TensorInfo {
  const backend = asWasmBackend(args.backend)
  const { dy, filter } = args.inputs
  const info = stride1ConvInfo('Conv2DBackpropInput', args.attrs.inputShape, filter.shape, args.attrs)
  const { batchSize, filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co } = info
  const { outHeight: ho, outWidth: wo, padInfo } = info

  const out = backend.makeOutput(info.inShape, 'float32')
  const flipped = new HeapScratch(backend, kh * kw * ci * co)
  try {
    const simd = simdKernels(backend)
    if (simd !== null) {
      simd.flip_filter(tensorData(backend, filter).memoryOffset, flipped.pointer, kh, kw, ci, co)
    } else {
      const src = heapView(backend, filter)
      const dst = flipped.view()
      // dst[a, b, o, i] = src[kh-1-a, kw-1-b, i, o]
      for (let a = 0; a < kh; a += 1) {
        for (let b = 0; b < kw; b += 1) {
          const from = ((kh - 1 - a) * kw + (kw - 1 - b)) * ci * co
          const to = (a * kw + b) * co * ci
          for (let i = 0; i < ci; i += 1) {
            for (let o = 0; o < co; o += 1) dst[to + o * ci + i] = src[from + i * co + o] as number
          }
        }
      }
    }
    wasmConv(backend).conv2d({
      xId: tensorData(backend, dy).id,
      batch: batchSize,
      height: ho,
      width: wo,
      filterId: flipped.alias(0, kh * kw * ci * co),
      filterHeight: kh,
      filterWidth: kw,
      pad: {
        top: kh - 1 - padInfo.top,
        right: kw - 1 - padInfo.right,
        bottom: kh - 1 - padInfo.bottom,
        left: kw - 1 - padInfo.left,
      },
      inChannels: co,
      outChannels: ci,
      outId: tensorData(backend, out).id,
    })
  } finally {
    flipped.release()
  }
  return out
}

/** Kernel registration for the wasm backend (replaces the stock one). */
export const conv2DBackpropInputWasmConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInputWasm as unknown as KernelFunc,
}
