import { Identity, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs'

interface RefCounting {
  incRef(dataId: object): void
}

/**
 * `Identity` that shares the data instead of copying it, as the cpu backend does. tfjs clones every tensor it
 * saves for the backward pass (`saveTensorsForBackwardMode`), and the stock wasm kernel copies each one — 414
 * copies of activations per U-Net step, about a tenth of the step. Tensors are immutable and the backend
 * reference-counts data, so sharing is safe.
 */
function identityWasm(args: { inputs: { x: TensorInfo }; backend: unknown }): TensorInfo {
  const { x } = args.inputs
  if (x.dtype === 'string') throw new Error('wasm Identity: string tensors are not supported here')
  ;(args.backend as RefCounting).incRef(x.dataId)
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype }
}

export const identityWasmConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: identityWasm as unknown as KernelFunc,
}
