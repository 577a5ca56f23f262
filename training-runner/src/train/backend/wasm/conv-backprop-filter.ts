import {
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs'
import { simdKernels } from './simd/simd-kernels.js'
import {
  asWasmBackend,
  HeapScratch,
  heapView,
  registerAlias,
  releaseAliases,
  stride1ConvInfo,
  tensorData,
  wasmConv,
} from './wasm-internals.js'

/**
 * The convolution filter gradient for tfjs-backend-wasm, which has none (`Conv2DBackpropFilter` is not
 * registered, so training stops at the first backward pass).
 *
 * dW[ky,kx,ci,co] = Σ_p x[p + (ky,kx), ci] · dy[p, co] is nine (kh·kw) matrix products of shape
 * [ci × P]·[P × co], where P runs over every position of the zero-padded input grid. The kernel writes x once,
 * channel-major and padded, as rows of length R = P + slack, and dy once, scattered onto the same padded grid
 * (zeros outside the valid output positions, and in the slack). Every tap is then the same matrix product with
 * the x rows shifted by `ky·Wp + kx` floats: a 1×1 XNNPACK convolution whose input is a registered alias into
 * the x buffer (no copy) and whose "filter" is the dy buffer, packed once and reused for all taps; its output
 * aliases the tap's slice of dW, so there is no gather either. The shifted rows run `shift` floats into the next
 * row, where dy is zero, so those products vanish.
 *
 * Stride 1 and dilation 1 only (the U-Net's convolutions); anything else throws, naming the shape.
 */
function conv2DBackpropFilterWasm(args: {
  inputs: { x: TensorInfo; dy: TensorInfo }
  backend: unknown
  attrs: Conv2DBackpropFilterAttrs
}): TensorInfo {
  const backend = asWasmBackend(args.backend)
  const { x, dy } = args.inputs
  const info = stride1ConvInfo('Conv2DBackpropFilter', x.shape, args.attrs.filterShape, args.attrs)
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info
  const { filterHeight: kh, filterWidth: kw, outHeight: ho, outWidth: wo } = info
  const { top, left } = info.padInfo
  const hp = ho + kh - 1
  const wp = wo + kw - 1
  const plane = hp * wp
  const grid = n * plane
  const slack = (kh - 1) * wp + (kw - 1)
  const rowLength = grid + slack

  const out = backend.makeOutput([kh, kw, ci, co], 'float32')
  const xs = new HeapScratch(backend, ci * rowLength + slack)
  const dys = new HeapScratch(backend, rowLength * co)
  const outAliases: number[] = []
  try {
    // Views only after every allocation: growing the heap detaches earlier views.
    const xv = heapView(backend, x)
    const dyv = heapView(backend, dy)
    const xcm = xs.view()
    const dyg = dys.view()
    xcm.fill(0)
    dyg.fill(0)
    const simd = simdKernels(backend)
    if (simd !== null) {
      simd.to_channel_major(tensorData(backend, x).memoryOffset, xs.pointer, n, h, w, ci, hp, wp, top, left, rowLength)
    } else {
      for (let b = 0; b < n; b += 1) {
        for (let r = 0; r < h; r += 1) {
          const gridRow = b * plane + (r + top) * wp + left
          let src = (b * h + r) * w * ci
          for (let c = 0; c < w; c += 1) {
            const g = gridRow + c
            for (let k = 0; k < ci; k += 1) xcm[k * rowLength + g] = xv[src + k] as number
            src += ci
          }
        }
      }
    }
    for (let b = 0; b < n; b += 1) {
      for (let r = 0; r < ho; r += 1) {
        const src = (b * ho + r) * wo * co
        dyg.set(dyv.subarray(src, src + wo * co), (b * plane + r * wp) * co)
      }
    }

    const conv = wasmConv(backend)
    const dyId = dys.alias(0, rowLength * co)
    const outOffset = backend.dataIdMap.get(out.dataId)?.memoryOffset ?? 0
    for (let ky = 0; ky < kh; ky += 1) {
      for (let kx = 0; kx < kw; kx += 1) {
        const shift = ky * wp + kx
        const tap = ky * kw + kx
        conv.conv2d({
          xId: xs.alias(shift, ci * rowLength),
          batch: 1,
          height: 1,
          width: ci,
          filterId: dyId,
          filterHeight: 1,
          filterWidth: 1,
          pad: { top: 0, right: 0, bottom: 0, left: 0 },
          inChannels: rowLength,
          outChannels: co,
          outId: registerAlias(backend, outOffset + tap * ci * co * 4, ci * co, outAliases),
        })
      }
    }
  } finally {
    releaseAliases(backend, outAliases)
    xs.release()
    dys.release()
  }
  return out
}

/** Kernel registration for the wasm backend. */
export const conv2DBackpropFilterWasmConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterWasm as unknown as KernelFunc,
}
