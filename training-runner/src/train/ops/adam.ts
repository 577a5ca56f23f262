import * as tf from '@tensorflow/tfjs'
import { hasFusedKernel } from './bn-relu.js'

/**
 * Adam with PyTorch's semantics (`torch.optim.Adam`), including its `weight_decay`: an L2 term added to the
 * gradient before the moment updates (coupled, not AdamW's decoupled decay). The old system trained with
 * `Adam(lr=1e-4, weight_decay=1e-4)`; keeping the coupled form keeps its effective regularisation, so results
 * stay comparable with its history.
 *
 *   g ← g + λ·p;  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²
 *   p ← p − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)
 *
 * On the wasm backend one fused kernel per parameter does all of that in one pass (`WmsAdam`).
 */

export const ADAM_UPDATE = 'WmsAdam'

export interface AdamOptions {
  learningRate: number
  weightDecay: number
  beta1?: number
  beta2?: number
  epsilon?: number
}

/** Moments and step count, by parameter name (what a checkpoint stores). */
export interface AdamState {
  step: number
  learningRate: number
  m: Map<string, Float32Array>
  v: Map<string, Float32Array>
}

export class Adam {
  learningRate: number
  readonly weightDecay: number
  readonly beta1: number
  readonly beta2: number
  readonly epsilon: number
  step = 0
  private readonly m = new Map<string, tf.Variable>()
  private readonly v = new Map<string, tf.Variable>()

  constructor(
    private readonly params: ReadonlyMap<string, tf.Variable>,
    options: AdamOptions,
  ) {
    this.learningRate = options.learningRate
    this.weightDecay = options.weightDecay
    this.beta1 = options.beta1 ?? 0.9
    this.beta2 = options.beta2 ?? 0.999
    this.epsilon = options.epsilon ?? 1e-8
    for (const [name, p] of params) {
      this.m.set(
        name,
        tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
      )
      this.v.set(
        name,
        tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
      )
    }
  }

  /** Applies one update from gradients keyed by parameter name (missing names are left alone). */
  apply(grads: Readonly<Record<string, tf.Tensor>>): void {
    this.step += 1
    const attrs = {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      weightDecay: this.weightDecay,
      step: this.step,
    }
    const fused = hasFusedKernel(ADAM_UPDATE)
    for (const [name, p] of this.params) {
      const g = grads[name]
      const m = this.m.get(name)
      const v = this.v.get(name)
      if (g === undefined || m === undefined || v === undefined) continue
      tf.tidy(() => {
        const [p2, m2, v2] = fused
          ? tf.engine().runKernel<tf.Tensor[]>(ADAM_UPDATE, { param: p, grad: g, m, v }, attrs)
          : adamComposite(p, g, m, v, attrs)
        if (p2 === undefined || m2 === undefined || v2 === undefined) throw new Error('Adam update lost an output')
        p.assign(p2)
        m.assign(m2)
        v.assign(v2)
      })
    }
  }

  /** A copy of the optimizer state (for checkpoints). */
  state(): AdamState {
    const read = (map: Map<string, tf.Variable>): Map<string, Float32Array> =>
      new Map([...map].map(([name, t]) => [name, t.dataSync() as Float32Array]))
    return { step: this.step, learningRate: this.learningRate, m: read(this.m), v: read(this.v) }
  }

  /** Restores a state saved with {@link state}; names missing from it keep zero moments. */
  load(state: AdamState): void {
    this.step = state.step
    this.learningRate = state.learningRate
    for (const [target, source] of [
      [this.m, state.m],
      [this.v, state.v],
    ] as const) {
      for (const [name, variable] of target) {
        const values = source.get(name)
        if (values?.length === variable.size) {
          tf.tidy(() => {
            variable.assign(tf.tensor(values, variable.shape))
          })
        }
      }
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose()
  }
}

interface AdamAttrs {
  learningRate: number
  beta1: number
  beta2: number
  epsilon: number
  weightDecay: number
  step: number
}

function adamComposite(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, a: AdamAttrs): tf.Tensor[] {
  const grad = a.weightDecay > 0 ? tf.add(g, tf.mul(p, a.weightDecay)) : g
  const m2 = tf.add(tf.mul(m, a.beta1), tf.mul(grad, 1 - a.beta1))
  const v2 = tf.add(tf.mul(v, a.beta2), tf.mul(tf.square(grad), 1 - a.beta2))
  const bc1 = 1 - a.beta1 ** a.step
  const bc2 = 1 - a.beta2 ** a.step
  const denominator = tf.add(tf.div(tf.sqrt(v2), Math.sqrt(bc2)), a.epsilon)
  const p2 = tf.sub(p, tf.mul(tf.div(m2, denominator), a.learningRate / bc1))
  return [p2, m2, v2]
}

/** The same update on plain arrays (the fused kernels' maths). Writes into p2/m2/v2. */
export function adamUpdateArrays(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  a: AdamAttrs,
  p2: Float32Array,
  m2: Float32Array,
  v2: Float32Array,
): void {
  const bc1 = 1 - a.beta1 ** a.step
  const rootBc2 = Math.sqrt(1 - a.beta2 ** a.step)
  const stepSize = a.learningRate / bc1
  const b1 = a.beta1
  const b2 = a.beta2
  for (let i = 0; i < p.length; i += 1) {
    const pi = p[i] as number
    const gi = (g[i] as number) + a.weightDecay * pi
    const mi = b1 * (m[i] as number) + (1 - b1) * gi
    const vi = b2 * (v[i] as number) + (1 - b2) * gi * gi
    m2[i] = mi
    v2[i] = vi
    p2[i] = pi - (stepSize * mi) / (Math.sqrt(vi) / rootBc2 + a.epsilon)
  }
}
