/**
 * Compiles `src/train/backend/wasm/simd/kernels.wat` (WebAssembly text, SIMD) into `kernels-wasm.ts`, the base64
 * module the runner loads. Run after editing the .wat: `npm run build:wasm-kernels`. A unit test recompiles and
 * fails when the two disagree.
 */
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { compileWat, renderKernelsModule } from '../src/train/backend/wasm/simd/wat-compiler.js'

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../src/train/backend/wasm/simd')
const bytes = await compileWat(await readFile(path.join(dir, 'kernels.wat'), 'utf8'))
await writeFile(path.join(dir, 'kernels-wasm.ts'), renderKernelsModule(bytes))
console.log(`kernels-wasm.ts: ${String(bytes.length)} bytes of wasm`)
