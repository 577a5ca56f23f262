import {
  backend_util,
  MaxPoolGrad,
  type KernelConfig,
  type KernelFunc,
  type MaxPoolGradAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs'
import { simdKernels } from './simd/simd-kernels.js'
import { asWasmBackend, tensorData } from './wasm-internals.js'

/**
 * `MaxPoolGrad` for the U-Net's 2×2, stride-2 pooling as one SIMD pass (the stock wasm kernel is a scalar loop
 * over windows); every other shape goes to the stock kernel, which this wraps.
 */
export function maxPoolGradWasmConfig(stock: KernelConfig | undefined): KernelConfig {
  const kernelFunc = (args: {
    inputs: { dy: TensorInfo; input: TensorInfo; output: TensorInfo }
    backend: unknown
    attrs: MaxPoolGradAttrs
  }): TensorInfo => {
    const backend = asWasmBackend(args.backend)
    const { dy, input, output } = args.inputs
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs
    const [n, h, w, c] = input.shape as [number, number, number, number]
    const info = backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      filterSize,
      strides,
      1,
      pad,
      dimRoundingMode,
    )
    const simd = simdKernels(backend)
    const fits =
      info.filterHeight === 2 &&
      info.filterWidth === 2 &&
      info.strideHeight === 2 &&
      info.strideWidth === 2 &&
      info.padInfo.top === 0 &&
      info.padInfo.left === 0 &&
      h % 2 === 0 &&
      w % 2 === 0 &&
      c % 4 === 0
    if (simd === null || !fits) {
      if (stock === undefined) throw new Error('wasm MaxPoolGrad: no stock kernel for this shape')
      return stock.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo
    }
    const dx = backend.makeOutput(input.shape, 'float32')
    const at = (t: TensorInfo): number => tensorData(backend, t).memoryOffset
    simd.max_pool2_grad(at(dy), at(input), at(output), at(dx), n, h / 2, w / 2, c)
    return dx
  }
  return {
    kernelName: MaxPoolGrad,
    backendName: 'wasm',
    kernelFunc: kernelFunc as unknown as KernelFunc,
    ...(stock?.setupFunc === undefined ? {} : { setupFunc: stock.setupFunc }),
  }
}
