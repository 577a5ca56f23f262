import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { KERNELS_WASM_BASE64 } from './kernels-wasm.js'
import { compileWat, renderKernelsModule } from './wat-compiler.js'

describe('SIMD kernels binary', () => {
  it('is the compiled kernels.wat (run `npm run build:wasm-kernels` after editing it)', async () => {
    const dir = path.dirname(fileURLToPath(import.meta.url))
    const bytes = await compileWat(await readFile(path.join(dir, 'kernels.wat'), 'utf8'))
    expect(Buffer.from(bytes).toString('base64')).toBe(KERNELS_WASM_BASE64)
    expect(await readFile(path.join(dir, 'kernels-wasm.ts'), 'utf8')).toBe(renderKernelsModule(bytes))
  })
})
