/**
 * The gradient sum of data-parallel training, done by the workers themselves instead of the main thread: every
 * worker writes its weighted gradients into its slot, waits at a barrier for the others (Atomics on shared
 * memory, no message round trip), then sums one range of every slot into the shared result block. The ranges
 * split the work evenly, so the sum costs 1/N of one pass over the parameters per worker instead of N passes on
 * the main thread (which, before, ran while every worker sat idle).
 *
 * The order of the additions is fixed (slot 0 first, then 1, …; float32 rounding after each, like the wasm
 * `tf.add` of in-process micro-batch accumulation), so the result is bit-identical to one process accumulating
 * the same shards, whatever the number of workers or the split of the ranges.
 */

/** Control words of the barrier (Int32Array on a SharedArrayBuffer). */
const ARRIVED = 0
const GENERATION = 1
const FAILED = 2
export const CONTROL_WORDS = 3

/** A barrier wait longer than this fails the step (a peer that died cannot arrive). */
const BARRIER_TIMEOUT_MS = 10 * 60_000

/**
 * Waits until `parties` workers have arrived (a reusable, generation-counted barrier). `failed` marks the step
 * as failed for every party (a worker whose pass threw still arrives, so no one waits forever). Returns whether
 * any party failed.
 */
export function arriveAndWait(control: Int32Array, parties: number, failed: boolean): boolean {
  const generation = Atomics.load(control, GENERATION)
  if (failed) Atomics.store(control, FAILED, 1)
  if (Atomics.add(control, ARRIVED, 1) === parties - 1) {
    // Last to arrive: reset for the next step, then release the others.
    Atomics.store(control, ARRIVED, 0)
    Atomics.add(control, GENERATION, 1)
    Atomics.notify(control, GENERATION)
  } else {
    const deadline = Date.now() + BARRIER_TIMEOUT_MS
    while (Atomics.load(control, GENERATION) === generation) {
      if (Date.now() > deadline) throw new Error('a training worker did not reach the gradient barrier')
      Atomics.wait(control, GENERATION, generation, 1000)
    }
  }
  return Atomics.load(control, FAILED) === 1
}

/** Clears the failure flag before a step (the main thread, while no worker is in the barrier). */
export function resetBarrier(control: Int32Array): void {
  Atomics.store(control, FAILED, 0)
}

/**
 * `result[i] = slots[0][i] + slots[1][i] + …` for i in [start, end), adding in slot order with float32 rounding
 * after each addition.
 */
export function sumRange(slots: readonly Float32Array[], result: Float32Array, start: number, end: number): void {
  const first = slots[0]
  if (first === undefined) throw new Error('no gradient slots to sum')
  result.set(first.subarray(start, end), start)
  for (let k = 1; k < slots.length; k += 1) {
    const slot = slots[k] as Float32Array
    for (let i = start; i < end; i += 1) result[i] = (result[i] as number) + (slot[i] as number)
  }
}

/** The range of a slot that party `index` of `parties` sums (contiguous, as even as possible). */
export function reduceRange(length: number, parties: number, index: number): [number, number] {
  const base = Math.floor(length / parties)
  const extra = length % parties
  const start = index * base + Math.min(index, extra)
  return [start, start + base + (index < extra ? 1 : 0)]
}
