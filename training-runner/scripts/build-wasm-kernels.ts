/**
 * Compiles `src/train/backend/wasm/simd/kernels.wat` (WebAssembly text, SIMD) into `kernels-wasm.ts`, the base64
 * modules the runner loads (one for a plain memory, one for the threaded build's shared memory). Run after editing the .wat: `npm run build:wasm-kernels`. A unit test recompiles and
 * fails when the two disagree.
 */
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { compileWat, renderKernelsModule } from '../src/train/backend/wasm/simd/wat-compiler.js'

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../src/train/backend/wasm/simd')
const source = await readFile(path.join(dir, 'kernels.wat'), 'utf8')
const bytes = await compileWat(source)
const sharedBytes = await compileWat(source, { shared: true })
await writeFile(path.join(dir, 'kernels-wasm.ts'), renderKernelsModule(bytes, sharedBytes))
console.log(`kernels-wasm.ts: ${String(bytes.length)} bytes of wasm (and the shared-memory variant)`)
