import os from 'node:os'
import * as tf from '@tensorflow/tfjs'
import { WmsError } from '@wms/shared/errors'
import type { EventSink } from '../../events/event-sink.js'
import { registerWasmTrainingKernels } from './wasm/register-wasm-kernels.js'
import { activateThreadedWasm, wasmThreads } from './wasm/threaded-wasm.js'

/**
 * Chooses and activates the TensorFlow.js backend — the one place that does (STYLE.md: the backend is chosen at
 * the entry point; model and data code are backend-free).
 *
 * `auto` tries, in order: `@tensorflow/tfjs-node-gpu` (libtensorflow + CUDA), `@tensorflow/tfjs-node`
 * (libtensorflow CPU), wasm (with this project's training kernels), and the pure-JS cpu backend. The native
 * packages are optional dependencies that fail to install where libtensorflow can't be downloaded, and may even
 * be present without their native addon, so every load error is caught. `tf.setBackend` resolves `false` instead
 * of throwing when a backend fails to initialise, so its result is checked. `webgpu` (Dawn via the `webgpu`
 * package and `@tensorflow/tfjs-backend-webgpu`, neither installed by default) is tried only when asked for.
 * `TFJS_BACKENDS=wasm,cpu` overrides the order. `WMS_WASM_THREADS=<n>` runs wasm on tfjs's threaded build with a
 * pool of n threads (`threaded-wasm.ts`); unset or 1, the single-threaded build.
 */

export const BACKEND_PREFERENCES = ['auto', 'tensorflow', 'wasm', 'cpu', 'webgpu'] as const
export type BackendPreference = (typeof BACKEND_PREFERENCES)[number]

/** A concrete candidate: the tfjs backend name and how to load it. */
type Candidate = 'tensorflow-gpu' | 'tensorflow-cpu' | 'wasm' | 'cpu' | 'webgpu'

/** Which backend runs, and why the others did not. */
export interface BackendChoice {
  /** The tfjs backend name (`tensorflow`, `wasm`, `cpu`, `webgpu`). */
  name: string
  /** The candidate that won, e.g. `tensorflow-gpu`. */
  candidate: Candidate
  /** Candidates tried before it, with the reason each was skipped. */
  skipped: { candidate: Candidate; reason: string }[]
  /** True when this backend has the fused training kernels of `backend/wasm`. */
  fusedKernels: boolean
  /** wasm only: threads of its XNNPACK pool (1: the single-threaded build). */
  threads?: number
}

const AUTO_ORDER: readonly Candidate[] = ['tensorflow-gpu', 'tensorflow-cpu', 'wasm', 'cpu']

/** The candidates a preference expands to (`TFJS_BACKENDS` wins for `auto`). */
export function candidatesFor(preference: BackendPreference, env: NodeJS.ProcessEnv = process.env): Candidate[] {
  if (preference === 'tensorflow') return ['tensorflow-gpu', 'tensorflow-cpu']
  if (preference !== 'auto') return [preference]
  const override = env.TFJS_BACKENDS?.trim()
  if (override === undefined || override === '') return [...AUTO_ORDER]
  const names: Candidate[] = []
  for (const raw of override.split(',').map((s) => s.trim().toLowerCase())) {
    const expanded: Candidate[] =
      raw === 'tensorflow' || raw === 'node'
        ? ['tensorflow-gpu', 'tensorflow-cpu']
        : raw === 'tensorflow-gpu' || raw === 'tensorflow-cpu' || raw === 'wasm' || raw === 'cpu' || raw === 'webgpu'
          ? [raw]
          : []
    if (expanded.length === 0) {
      throw new WmsError('usage/invalid-arguments', `TFJS_BACKENDS names an unknown backend "${raw}"`, {
        hint: 'Use a comma-separated list of tensorflow, tensorflow-gpu, tensorflow-cpu, wasm, cpu, webgpu.',
      })
    }
    for (const name of expanded) if (!names.includes(name)) names.push(name)
  }
  return names
}

/** Imports a module by a name TypeScript does not resolve (optional packages that may be absent). */
async function importOptional(name: string): Promise<unknown> {
  return (await import(/* @vite-ignore */ name)) as unknown
}

function describe(thrown: unknown): string {
  const error = thrown as { code?: string; message?: string }
  if (error.code === 'ERR_MODULE_NOT_FOUND' || error.code === 'MODULE_NOT_FOUND') return 'not installed'
  const first = (error.message ?? String(thrown)).split('\n')[0] ?? ''
  return first.length > 160 ? `${first.slice(0, 157)}…` : first
}

/** Threads for the wasm backend from `WMS_WASM_THREADS`: `auto` = every core, else 1 unless a positive integer. */
export function wasmThreadsFrom(env: NodeJS.ProcessEnv = process.env, cores = os.availableParallelism()): number {
  if (env.WMS_WASM_THREADS === 'auto') return Math.max(1, cores)
  const value = Number(env.WMS_WASM_THREADS ?? '1')
  return Number.isInteger(value) && value > 1 ? value : 1
}

async function tryCandidate(candidate: Candidate, env: NodeJS.ProcessEnv): Promise<string> {
  switch (candidate) {
    case 'tensorflow-gpu':
    case 'tensorflow-cpu': {
      await importOptional(candidate === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node')
      return 'tensorflow'
    }
    case 'wasm': {
      const threads = wasmThreadsFrom(env)
      if (threads > 1) await activateThreadedWasm(threads)
      else await import('@tensorflow/tfjs-backend-wasm')
      registerWasmTrainingKernels()
      return 'wasm'
    }
    case 'webgpu': {
      const dawn = (await importOptional('webgpu')) as { create(flags: string[]): unknown; globals: object }
      const globals = globalThis as Record<string, unknown>
      Object.assign(globals, dawn.globals)
      if (!('navigator' in globals)) globals.navigator = { gpu: dawn.create([]) }
      await importOptional('@tensorflow/tfjs-backend-webgpu')
      return 'webgpu'
    }
    case 'cpu':
      return 'cpu'
  }
}

/**
 * Activates the first working backend for `preference`, emitting a `log` event with the choice and the reasons
 * for skipping the others. Throws `training/backend-unavailable` when none works.
 */
export async function selectBackend(
  preference: BackendPreference = 'auto',
  options: { events?: EventSink; env?: NodeJS.ProcessEnv } = {},
): Promise<BackendChoice> {
  const skipped: BackendChoice['skipped'] = []
  for (const candidate of candidatesFor(preference, options.env)) {
    let name: string
    try {
      name = await tryCandidate(candidate, options.env ?? process.env)
    } catch (thrown) {
      skipped.push({ candidate, reason: describe(thrown) })
      continue
    }
    let ok = false
    try {
      // tfjs types say a factory is always found; at run time it is null for unregistered names.
      const factory = tf.findBackendFactory(name) as ReturnType<typeof tf.findBackendFactory> | null
      ok = factory !== null && (await tf.setBackend(name))
    } catch (thrown) {
      skipped.push({ candidate, reason: `failed to initialise: ${describe(thrown)}` })
      continue
    }
    if (!ok) {
      skipped.push({ candidate, reason: 'failed to initialise (tf.setBackend returned false)' })
      continue
    }
    await tf.ready()
    const choice: BackendChoice = {
      name,
      candidate,
      skipped,
      fusedKernels: name === 'wasm',
      ...(name === 'wasm' ? { threads: wasmThreads() ?? 1 } : {}),
    }
    options.events?.emit({ type: 'log', level: 'info', message: describeChoice(choice) })
    if (name === 'cpu') {
      options.events?.emit({
        type: 'log',
        level: 'warn',
        message: 'Training on the pure-JS cpu backend is very slow (minutes per step); install tfjs-node or use wasm.',
      })
    }
    return choice
  }
  throw new WmsError(
    'training/backend-unavailable',
    `No TensorFlow.js backend could be started (${skipped.map((s) => `${s.candidate}: ${s.reason}`).join('; ')}).`,
    { hint: 'Run `npm install` in the project (it installs the wasm backend), or pick another --backend.' },
  )
}

/** One line for logs: `backend wasm (skipped tensorflow-gpu: not installed; …)`. */
export function describeChoice(choice: BackendChoice): string {
  const skipped = choice.skipped.map((s) => `${s.candidate}: ${s.reason}`).join('; ')
  const threads = (choice.threads ?? 1) > 1 ? ` (${String(choice.threads)} threads)` : ''
  return `TensorFlow.js backend: ${choice.candidate}${threads}${skipped === '' ? '' : ` (skipped ${skipped})`}`
}
