import { backend_util, type Conv2DBackpropFilterAttrs, type TensorInfo } from '@tensorflow/tfjs'

/**
 * The parts of tfjs-backend-wasm's internals our kernels use (4.22): the Emscripten module, the tensor id map and
 * the output allocator. The package does not export these types, so they are declared here, narrowly; a version
 * bump that changes them fails the kernel tests, not training silently.
 */
export interface WasmModule {
  HEAPF32: Float32Array
  _malloc(bytes: number): number
  _free(pointer: number): void
  cwrap(name: string, returnType: null, argTypes: string[]): (...args: number[]) => void
  tfjs: {
    registerTensor(id: number, size: number, memoryOffset: number): void
    disposeData(id: number): void
  }
}

interface TensorData {
  id: number
  memoryOffset: number
  shape: number[]
}

/** The wasm backend, seen through the members our kernels touch. */
export interface WasmBackend {
  wasm: WasmModule
  dataIdNextNumber: number
  dataIdMap: { get(dataId: object): TensorData | undefined }
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo
}

/** Casts the backend a kernel receives; throws if it does not look like tfjs-backend-wasm 4.x. */
export function asWasmBackend(backend: unknown): WasmBackend {
  const candidate = backend as Partial<WasmBackend>
  if (candidate.wasm === undefined || candidate.dataIdMap === undefined || typeof candidate.makeOutput !== 'function') {
    throw new Error('expected the tfjs wasm backend')
  }
  return candidate as WasmBackend
}

/** The wasm-side tensor id and heap offset (in bytes) of a tensor. */
export function tensorData(backend: WasmBackend, tensor: TensorInfo): TensorData {
  const data = backend.dataIdMap.get(tensor.dataId)
  if (data === undefined) throw new Error('tensor is not on the wasm backend')
  return data
}

/**
 * A Float32Array view of a tensor on the heap. Views die when the heap grows (any allocation may grow it), so a
 * kernel allocates every output and scratch buffer first and takes its views afterwards.
 */
export function heapView(backend: WasmBackend, tensor: TensorInfo): Float32Array {
  const { memoryOffset } = tensorData(backend, tensor)
  const size = tensor.shape.reduce((a, b) => a * b, 1)
  return new Float32Array(backend.wasm.HEAPF32.buffer, memoryOffset, size)
}

/**
 * A block of heap memory that wasm kernels can address as tensors: `alias(offset, size)` registers a tensor id
 * pointing into it (no copy), so XNNPACK can read a shifted window of a buffer. `release()` unregisters every
 * alias (which also frees XNNPACK operators cached on those ids) and frees the memory.
 */
export class HeapScratch {
  readonly pointer: number
  private readonly aliases: number[] = []

  constructor(
    private readonly backend: WasmBackend,
    readonly floats: number,
  ) {
    // 16 extra bytes: XNNPACK micro-kernels may read a little past the end of an input row.
    this.pointer = backend.wasm._malloc(floats * 4 + 16) >>> 0
    if (this.pointer === 0) throw new RangeError(`out of wasm memory allocating ${String(floats * 4)} bytes`)
  }

  /** A view of the whole block (take it after every allocation of the kernel). */
  view(): Float32Array {
    return new Float32Array(this.backend.wasm.HEAPF32.buffer, this.pointer, this.floats)
  }

  /** Registers a tensor id for `size` floats starting `offset` floats into the block. */
  alias(offset: number, size: number): number {
    return registerAlias(this.backend, this.pointer + offset * 4, size, this.aliases)
  }

  release(): void {
    for (const id of this.aliases.splice(0)) this.backend.wasm.tfjs.disposeData(id)
    this.backend.wasm._free(this.pointer)
  }
}

/** Registers a wasm tensor id for memory owned by someone else (e.g. a slice of an output tensor). */
export function registerAlias(backend: WasmBackend, byteOffset: number, size: number, into: number[]): number {
  const id = backend.dataIdNextNumber
  backend.dataIdNextNumber += 1
  backend.wasm.tfjs.registerTensor(id, size, byteOffset)
  into.push(id)
  return id
}

/** Unregisters alias ids made with {@link registerAlias}. */
export function releaseAliases(backend: WasmBackend, ids: number[]): void {
  for (const id of ids.splice(0)) backend.wasm.tfjs.disposeData(id)
}

/** Calls into the wasm module's exported kernels (the same C entry points tfjs's own kernels call). */
export interface WasmConv {
  /** `Conv2D` (XNNPACK) on registered tensor ids: stride 1, no dilation, explicit padding. */
  conv2d(args: {
    xId: number
    batch: number
    height: number
    width: number
    filterId: number
    filterHeight: number
    filterWidth: number
    pad: { top: number; right: number; bottom: number; left: number }
    inChannels: number
    outChannels: number
    outId: number
  }): void
}

const convCache = new WeakMap<WasmModule, WasmConv>()

/** The exported `Conv2D` entry point of a wasm module, wrapped once per module. */
export function wasmConv(backend: WasmBackend): WasmConv {
  const cached = convCache.get(backend.wasm)
  if (cached !== undefined) return cached
  const raw = backend.wasm.cwrap('Conv2D', null, new Array<string>(19).fill('number'))
  const conv: WasmConv = {
    conv2d: (a) => {
      raw(
        a.xId,
        a.batch,
        a.height,
        a.width,
        a.filterId,
        a.filterHeight,
        a.filterWidth,
        a.pad.top,
        a.pad.right,
        a.pad.bottom,
        a.pad.left,
        0, // isSamePad: padding is explicit
        1,
        1, // dilations
        1,
        1, // strides
        a.inChannels,
        a.outChannels,
        a.outId,
      )
    },
  }
  convCache.set(backend.wasm, conv)
  return conv
}

/**
 * The geometry of a convolution gradient our kernels compute: stride 1, dilation 1, NHWC (the U-Net's
 * convolutions). Anything else throws, naming the kernel and the shape.
 */
export function stride1ConvInfo(
  kernel: string,
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: Pick<Conv2DBackpropFilterAttrs, 'strides' | 'pad' | 'dataFormat' | 'dimRoundingMode'>,
): backend_util.Conv2DInfo {
  const { strides, pad, dataFormat, dimRoundingMode } = attrs
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(dataFormat),
  )
  if (info.strideHeight !== 1 || info.strideWidth !== 1 || info.dataFormat !== 'channelsLast') {
    throw new Error(`wasm ${kernel} supports stride 1, NHWC only (got strides ${String(strides)}, ${dataFormat})`)
  }
  return info
}
