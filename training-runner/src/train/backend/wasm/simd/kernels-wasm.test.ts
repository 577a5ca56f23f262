import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { KERNELS_WASM_BASE64, KERNELS_WASM_SHARED_BASE64 } from './kernels-wasm.js'
import { compileWat, renderKernelsModule } from './wat-compiler.js'

/** The WebAssembly JS API (the runner's tsconfig has no DOM lib to declare it). */
const webAssembly = (
  globalThis as unknown as {
    WebAssembly: {
      Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => object
      Module: new (bytes: Uint8Array) => object
      Instance: new (module: object, imports: object) => object
    }
  }
).WebAssembly

describe('SIMD kernels binary', () => {
  it('is the compiled kernels.wat (run `npm run build:wasm-kernels` after editing it)', async () => {
    const dir = path.dirname(fileURLToPath(import.meta.url))
    const source = await readFile(path.join(dir, 'kernels.wat'), 'utf8')
    const bytes = await compileWat(source)
    const sharedBytes = await compileWat(source, { shared: true })
    expect(Buffer.from(bytes).toString('base64')).toBe(KERNELS_WASM_BASE64)
    expect(Buffer.from(sharedBytes).toString('base64')).toBe(KERNELS_WASM_SHARED_BASE64)
    expect(await readFile(path.join(dir, 'kernels-wasm.ts'), 'utf8')).toBe(renderKernelsModule(bytes, sharedBytes))
  })

  it('links the shared variant to a shared memory and the plain one to a plain memory', () => {
    const shared = new webAssembly.Memory({ initial: 1, maximum: 65536, shared: true })
    const plain = new webAssembly.Memory({ initial: 1 })
    const instantiate = (base64: string, memory: object): object =>
      new webAssembly.Instance(new webAssembly.Module(Buffer.from(base64, 'base64')), { env: { memory } })
    expect(() => instantiate(KERNELS_WASM_SHARED_BASE64, shared)).not.toThrow()
    expect(() => instantiate(KERNELS_WASM_BASE64, plain)).not.toThrow()
    expect(() => instantiate(KERNELS_WASM_BASE64, shared)).toThrow()
  })
})
