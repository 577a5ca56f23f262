import { createHash } from 'node:crypto'
import { unetVariableSpecs, type UnetConfig } from '../model/unet.js'

/**
 * Where each variable lives in the shared memory of data-parallel training: one float32 block of every model
 * variable (the weights all workers load before a step) and, per worker, a block of its weighted gradients
 * (trainable variables) followed by its running statistics (the non-trainable ones). Both sides derive the layout
 * from the U-Net config, so they cannot disagree.
 */
export interface SharedLayout {
  /** Every variable, in spec order: name, offset and length in floats. */
  params: { name: string; offset: number; length: number }[]
  paramFloats: number
  /** The trainable variables' offsets in a worker's slot, then the running statistics'. */
  grads: { name: string; offset: number; length: number }[]
  stats: { name: string; offset: number; length: number }[]
  slotFloats: number
}

export function sharedLayout(config: UnetConfig): SharedLayout {
  const specs = unetVariableSpecs(config).map((s) => ({
    name: s.name,
    trainable: s.trainable,
    length: s.shape.reduce((a, b) => a * b, 1),
  }))
  let offset = 0
  const params = specs.map((s) => {
    const entry = { name: s.name, offset, length: s.length }
    offset += s.length
    return entry
  })
  const paramFloats = offset
  offset = 0
  const place = (list: typeof specs): SharedLayout['grads'] =>
    list.map((s) => {
      const entry = { name: s.name, offset, length: s.length }
      offset += s.length
      return entry
    })
  const grads = place(specs.filter((s) => s.trainable))
  const stats = place(specs.filter((s) => !s.trainable))
  return { params, paramFloats, grads, stats, slotFloats: offset }
}

/** A copy of every variable's values out of the shared weights block. */
export function readParams(layout: SharedLayout, shared: Float32Array): Map<string, Float32Array> {
  return new Map(layout.params.map((p) => [p.name, shared.slice(p.offset, p.offset + p.length)]))
}

/** Writes variable values into the shared weights block. */
export function writeParams(
  layout: SharedLayout,
  shared: Float32Array,
  values: ReadonlyMap<string, Float32Array>,
): void {
  for (const p of layout.params) {
    const v = values.get(p.name)
    if (v?.length !== p.length) throw new Error(`no value of length ${String(p.length)} for ${p.name}`)
    shared.set(v, p.offset)
  }
}

/** MD5 of variable values in layout order: equal digests ⇔ bit-identical weights. */
export function digestValues(layout: SharedLayout, values: ReadonlyMap<string, Float32Array>): string {
  const hash = createHash('md5')
  for (const p of layout.params) {
    const v = values.get(p.name)
    if (v === undefined) throw new Error(`no value for ${p.name}`)
    hash.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))
  }
  return hash.digest('hex')
}
