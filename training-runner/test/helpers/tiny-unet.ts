import type { Batch } from '../../src/train/data/batches.js'
import type { UnetConfig } from '../../src/train/model/unet.js'
import type { LossOptions } from '../../src/train/ops/losses.js'

/** A tiny U-Net (2 levels, 2 base filters) on 16² images: the equivalences hold at any size, and this runs in ms. */
export const TINY: UnetConfig = { inChannels: 3, baseFilters: 2, outChannels: 1, depth: 2 }

/** A deterministic batch of `count` 16² images with sparse masks. */
export function tinyBatch(count: number, seed = 1): Batch {
  const side = 16
  const images = Float32Array.from(
    { length: count * side * side * 3 },
    (_, i) => ((i * 7919 + seed * 104729) % 1000) / 1000,
  )
  const masks = Float32Array.from({ length: count * side * side }, (_, i) => ((i * 31 + seed) % 17 === 0 ? 1 : 0))
  return { ids: Array.from({ length: count }, (_, i) => `p${String(i)}`), size: side, count, images, masks }
}

export const LOSS: LossOptions = { loss: 'bce-dice', diceWeight: 1, focalGamma: 2 }

/** Largest absolute difference between two sets of named values. */
export function maxDifference(a: ReadonlyMap<string, Float32Array>, b: ReadonlyMap<string, Float32Array>): number {
  let worst = 0
  for (const [name, values] of a) {
    const other = b.get(name) as Float32Array
    for (let i = 0; i < values.length; i += 1)
      worst = Math.max(worst, Math.abs((values[i] as number) - (other[i] as number)))
  }
  return worst
}
