import type { WasmBackend } from '../wasm-internals.js'
import { KERNELS_WASM_BASE64, KERNELS_WASM_SHARED_BASE64 } from './kernels-wasm.js'

/**
 * The SIMD kernels of `kernels.wat`, instantiated against the tfjs wasm backend's own memory, so they read and
 * write tensors in place (pointers are heap byte offsets). Null when the runtime lacks wasm SIMD or the backend's
 * memory is not reachable; the callers then run their JS versions of the same maths.
 */
export interface SimdKernels {
  bn_stats(x: number, rows: number, ch: number, acc: number): void
  bn_apply(x: number, y: number, rows: number, ch: number, scale: number, shift: number): void
  bn_grad_reduce(dy: number, x: number, y: number, mean: number, rows: number, ch: number, acc: number): void
  bn_grad_apply(
    dy: number,
    x: number,
    y: number,
    mean: number,
    k1: number,
    k2: number,
    k3: number,
    dx: number,
    rows: number,
    ch: number,
    acc: number,
  ): void
  upsample_axis(src: number, dst: number, outer: number, length: number, inner: number): void
  upsample_axis_back(dOut: number, dIn: number, outer: number, length: number, inner: number): void
  to_channel_major(
    x: number,
    dst: number,
    n: number,
    h: number,
    w: number,
    ci: number,
    hp: number,
    wp: number,
    top: number,
    left: number,
    row: number,
  ): void
  interleave2(a: number, b: number, out: number, pixels: number, aBytes: number, bBytes: number): void
  deinterleave2(src: number, a: number, b: number, pixels: number, aBytes: number, bBytes: number): void
  max_pool2_grad(dy: number, x: number, y: number, dx: number, n: number, ho: number, wo: number, ch: number): void
  flip_filter(src: number, dst: number, kh: number, kw: number, ci: number, co: number): void
  adam(
    p: number,
    g: number,
    m: number,
    v: number,
    p2: number,
    m2: number,
    v2: number,
    n: number,
    weightDecay: number,
    beta1: number,
    beta2: number,
    stepSize: number,
    rootBc2: number,
    epsilon: number,
  ): void
}

const instances = new WeakMap<object, SimdKernels | null>()

/** The WebAssembly JS API (Node has it; the runner's tsconfig has no DOM lib to declare it). */
interface WebAssemblyApi {
  Memory: abstract new (...args: never[]) => { buffer: ArrayBuffer | SharedArrayBuffer }
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: unknown }
}
const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly

/** Set `WMS_WASM_SIMD=0` to use the JS versions (for comparisons). */
function disabled(): boolean {
  return process.env.WMS_WASM_SIMD === '0'
}

/** The kernels bound to this backend's memory (instantiated once per wasm module), or null. */
export function simdKernels(backend: WasmBackend): SimdKernels | null {
  if (disabled()) return null
  const cached = instances.get(backend.wasm)
  if (cached !== undefined) return cached
  let kernels: SimdKernels | null = null
  // The plain build exports its memory; the threaded build imports it and keeps it as `wasmMemory`.
  const module = backend.wasm as { asm?: { memory?: unknown }; wasmMemory?: unknown }
  const memory = module.asm?.memory ?? module.wasmMemory
  if (memory instanceof webAssembly.Memory) {
    try {
      // The threaded tfjs build's memory is shared; a module must declare the import the same way to link.
      const shared = memory.buffer instanceof SharedArrayBuffer
      const compiled = new webAssembly.Module(
        Buffer.from(shared ? KERNELS_WASM_SHARED_BASE64 : KERNELS_WASM_BASE64, 'base64'),
      )
      const instance = new webAssembly.Instance(compiled, { env: { memory } })
      kernels = instance.exports as SimdKernels
    } catch {
      kernels = null
    }
  }
  instances.set(backend.wasm, kernels)
  return kernels
}
