import { createHash } from 'node:crypto'
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import type { Worker as NodeWorkerType, WorkerOptions } from 'node:worker_threads'

/**
 * The multi-threaded build of tfjs-backend-wasm, in Node. tfjs ships it (`tfjs-backend-wasm-threaded-simd.wasm`:
 * XNNPACK with a pthreads pool, one convolution split across cores) but never loads it in Node
 * (tensorflow/tfjs#3830): its feature check answers "no threads" there, it hands Emscripten the pthread script as
 * a Blob URL that Node's workers cannot open, and the C++ side caps the pool at half the logical cores (1 on a
 * 2-core machine). This module loads the same files with what Node needs instead:
 *
 * - the pthread script (shipped as a string in `…-threaded-simd.worker.js`) written once to a `.cjs` file;
 * - pthread workers started without the parent's `execArgv` (a TypeScript loader there breaks the plain script);
 * - the core count the C++ side reads answered as 2 × `threads`, so the pool it creates has `threads` threads;
 * - `BackendWasm` registered as `wasm` over that module; the kernels registered for `wasm` (tfjs's and this
 *   project's training kernels) then run on it unchanged.
 *
 * XNNPACK splits each operator's output tiles across the pool and every output element is computed by the same
 * micro-kernel in the same order, so results do not depend on the thread count (a test checks gradients are
 * bit-identical with 1 and 2 threads). Call before any tensor exists: it replaces the `wasm` backend.
 */

const GLUE = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js'
// Not named `require`: bundles of this module (the app's inference worker) declare their own `require` shim.
const requireFromHere = createRequire(import.meta.url)

/** The WebAssembly JS API (the runner's tsconfig has no DOM lib to declare it). */
const webAssembly = (
  globalThis as unknown as {
    WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: object; module: object }> }
  }
).WebAssembly

/** The Emscripten module as far as this loader touches it. */
interface ThreadedModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number
  tfjs?: Record<string, (...args: number[]) => number>
  PThread: { runningWorkers: { unref(): void }[]; unusedWorkers: { unref(): void }[] }
}

type Factory = (config: Record<string, unknown>) => Promise<ThreadedModule>

let activeThreads: number | null = null

/** Threads of the active threaded backend, or null when the plain (single-threaded) build is in use. */
export function wasmThreads(): number | null {
  return activeThreads
}

/** Activates tfjs-backend-wasm's threaded build with a pool of `threads` threads as the `wasm` backend. */
export async function activateThreadedWasm(threads: number): Promise<void> {
  if (activeThreads === threads && tf.getBackend() === 'wasm') return
  // Imported here, not at the top: importing tfjs-backend-wasm registers `wasm` as the highest-priority backend, and
  // tfjs code that runs before a backend is chosen (a model built in a test, a CLI command) would then find an
  // uninitialised one.
  const wasmBackend = await import('@tensorflow/tfjs-backend-wasm')
  const glue = requireFromHere.resolve(GLUE)
  const dir = path.dirname(glue)
  const module = await instantiate(requireFromHere(glue) as Factory, glue, pthreadScript(dir), dir, threads)
  const call = (name: string, args: string[], returns: string | null = null): ((...a: number[]) => number) =>
    module.cwrap(name, returns, args)
  // The same bridge tfjs's own init() builds for BackendWasm.
  module.tfjs = {
    init: call('init', []),
    initWithThreadsCount: call('init_with_threads_count', ['number']),
    getThreadsCount: call('get_threads_count', [], 'number'),
    registerTensor: call('register_tensor', ['number', 'number', 'number']),
    disposeData: call('dispose_data', ['number']),
    dispose: call('dispose', []),
  }
  wasmBackend.setThreadsCount(threads)
  // tfjs types say these always find one; at run time they return undefined/null when none is registered.
  const present = (value: unknown): boolean => value !== null && value !== undefined
  const registered = present(tf.findBackendFactory('wasm')) || present(tf.findBackend('wasm'))
  if (registered) tf.removeBackend('wasm')
  tf.registerBackend('wasm', () => new wasmBackend.BackendWasm(module as never), 2)
  if (!(await tf.setBackend('wasm'))) throw new Error('the threaded wasm backend did not initialise')
  // Idle pool threads must not keep the process alive (Emscripten refs a worker while it runs a pthread).
  for (const worker of [...module.PThread.runningWorkers, ...module.PThread.unusedWorkers]) worker.unref()
  activeThreads = wasmBackend.getThreadsCount()
}

/** Runs the Emscripten factory with Node-friendly pthread workers and the core count that yields `threads`. */
async function instantiate(
  factory: Factory,
  glue: string,
  script: string,
  dir: string,
  threads: number,
): Promise<ThreadedModule> {
  const workerThreads = requireFromHere('node:worker_threads') as { Worker: typeof NodeWorkerType }
  const NodeWorker = workerThreads.Worker
  class PthreadWorker extends NodeWorker {
    constructor(file: string | URL, options: WorkerOptions = {}) {
      super(file, { ...options, execArgv: [] })
    }
  }
  // The glue reads worker_threads.Worker once, while the factory runs (it pre-starts its pool then).
  const writable = workerThreads
  writable.Worker = PthreadWorker
  try {
    const pending = factory({
      locateFile: (file: string) => (file.endsWith('.worker.js') ? script : path.join(dir, file)),
      // What each pthread worker evaluates to get the factory (tfjs passes a Blob, which Node cannot load).
      mainScriptUrlOrBlob: glue,
      instantiateWasm: (
        imports: { env: Record<string, unknown> },
        receive: (instance: object, module: object) => void,
      ) => {
        // tfjs's C++ side sizes its pool as min(requested, cores / 2) (it assumes hyper-threading).
        imports.env.emscripten_num_logical_cores = () => 2 * threads
        const bytes = readFileSync(path.join(dir, 'tfjs-backend-wasm-threaded-simd.wasm'))
        void webAssembly.instantiate(bytes, imports).then((result) => {
          receive(result.instance, result.module)
        })
        return {}
      },
    })
    return await pending
  } finally {
    writable.Worker = NodeWorker
  }
}

/** The pthread worker script as a `.cjs` file (content-addressed in the temp folder, written once). */
function pthreadScript(dir: string): string {
  const shipped = (
    requireFromHere(path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
      wasmWorkerContents: string
    }
  ).wasmWorkerContents
  // The shipped string holds raw newlines inside string literals; tfjs escapes them the same way.
  const source = shipped.replace(/\n/g, '\\n')
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16)
  const file = path.join(os.tmpdir(), `wms-tfjs-wasm-pthread-${hash}.cjs`)
  if (!existsSync(file)) {
    const partial = `${file}.${String(process.pid)}.tmp`
    writeFileSync(partial, source)
    renameSync(partial, file)
  }
  return file
}
