import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { collectingSink } from '../../events/event-sink.js'
import { candidatesFor, describeChoice, selectBackend, wasmThreadsFrom } from './select-backend.js'

describe('backend selection', () => {
  it('expands preferences and the TFJS_BACKENDS override', () => {
    expect(candidatesFor('auto', {})).toEqual(['tensorflow-gpu', 'tensorflow-cpu', 'wasm', 'cpu'])
    expect(candidatesFor('tensorflow', {})).toEqual(['tensorflow-gpu', 'tensorflow-cpu'])
    expect(candidatesFor('webgpu', {})).toEqual(['webgpu'])
    expect(candidatesFor('auto', { TFJS_BACKENDS: 'wasm, cpu,wasm' })).toEqual(['wasm', 'cpu'])
    expect(() => candidatesFor('auto', { TFJS_BACKENDS: 'cuda' })).toThrow(/unknown backend "cuda"/)
  })

  it('reads the wasm thread count from WMS_WASM_THREADS (1, the single-threaded build, unless a count > 1)', () => {
    expect(wasmThreadsFrom({})).toBe(1)
    expect(wasmThreadsFrom({ WMS_WASM_THREADS: '4' })).toBe(4)
    for (const value of ['0', '-2', '1.5', 'many', '']) expect(wasmThreadsFrom({ WMS_WASM_THREADS: value })).toBe(1)
    const choice = { name: 'wasm', candidate: 'wasm', skipped: [], fusedKernels: true, threads: 2 } as const
    expect(describeChoice({ ...choice, skipped: [] })).toBe('TensorFlow.js backend: wasm (2 threads)')
  })

  it('falls back past missing native packages to wasm, and says why', async () => {
    const events = collectingSink()
    const choice = await selectBackend('auto', { events, env: {} })
    // tfjs-node(-gpu) cannot install here (no libtensorflow download); on a GPU host the first would win
    if (choice.candidate === 'wasm') {
      expect(choice.skipped.map((s) => s.candidate)).toEqual(['tensorflow-gpu', 'tensorflow-cpu'])
      expect(choice.fusedKernels).toBe(true)
    }
    expect(tf.getBackend()).toBe(choice.name)
    const log = events.events.find((e) => e.type === 'log')
    expect(log?.type === 'log' ? log.message : '').toContain(`TensorFlow.js backend: ${choice.candidate}`)
  })

  it('reports an unavailable backend clearly', async () => {
    await expect(selectBackend('webgpu', { env: {} })).rejects.toMatchObject({
      code: 'training/backend-unavailable',
      message: expect.stringContaining('webgpu') as unknown,
    })
    expect(await tf.setBackend('cpu')).toBe(true)
  })
})
