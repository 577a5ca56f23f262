import * as tf from '@tensorflow/tfjs'
import { createPrng } from '@wms/shared/util/prng'
import { batchNormRelu, BN_EPSILON } from '../ops/bn-relu.js'
import { concatChannels } from '../ops/concat-channels.js'
import { upsample2x } from '../ops/upsample.js'

/**
 * The old system's U-Net (`WaterMetersUNet(inChannels=3, baseFilters=16, outChannels=1)`), NHWC and backend-free:
 * four encoder stages of two [3×3 conv → BatchNorm → ReLU] with 2×2 max-pooling, a bottleneck, four decoder stages
 * that upsample bilinearly (half-pixel centres, like PyTorch's `align_corners=False`), concatenate the skip and
 * apply two more conv blocks, and a 1×1 convolution to one logit map. With base 16: 1,965,569 trainable
 * parameters, the same as the PyTorch original.
 *
 * The model is a set of named variables and a forward function; training, inference and serialisation work on
 * the names, so checkpoints and exported weights are stable across runs.
 */

/** The architecture's knobs. */
export interface UnetConfig {
  inChannels: number
  baseFilters: number
  outChannels: number
  /** Encoder stages (4 in the original); the input side must be divisible by 2^depth. */
  depth: number
}

export const DEFAULT_UNET: UnetConfig = { inChannels: 3, baseFilters: 16, outChannels: 1, depth: 4 }

/** PyTorch's BatchNorm momentum (weight of the new batch statistic in the running average). */
export const BN_MOMENTUM = 0.1

/** One conv → BN → ReLU unit's parameter names. */
interface ConvUnit {
  kernel: string
  bias: string
  gamma: string
  beta: string
  movingMean: string
  movingVariance: string
  inChannels: number
  outChannels: number
}

/** The ordered list of conv units and the head, derived from the config. */
export interface UnetLayout {
  encoder: [ConvUnit, ConvUnit][]
  bottleneck: [ConvUnit, ConvUnit]
  decoder: [ConvUnit, ConvUnit][]
  head: { kernel: string; bias: string; inChannels: number; outChannels: number }
}

function convUnit(prefix: string, inChannels: number, outChannels: number): ConvUnit {
  return {
    kernel: `${prefix}/conv/kernel`,
    bias: `${prefix}/conv/bias`,
    gamma: `${prefix}/bn/gamma`,
    beta: `${prefix}/bn/beta`,
    movingMean: `${prefix}/bn/moving_mean`,
    movingVariance: `${prefix}/bn/moving_variance`,
    inChannels,
    outChannels,
  }
}

function block(prefix: string, inChannels: number, outChannels: number): [ConvUnit, ConvUnit] {
  return [convUnit(`${prefix}/0`, inChannels, outChannels), convUnit(`${prefix}/1`, outChannels, outChannels)]
}

/** The layer layout of a U-Net with this config. */
export function unetLayout(config: UnetConfig): UnetLayout {
  const filters = Array.from({ length: config.depth }, (_, i) => config.baseFilters * 2 ** i)
  const encoder: [ConvUnit, ConvUnit][] = []
  let previous = config.inChannels
  filters.forEach((f, i) => {
    encoder.push(block(`enc${String(i + 1)}`, previous, f))
    previous = f
  })
  const bottleneck = block('bottleneck', previous, previous * 2)
  previous *= 2
  const decoder: [ConvUnit, ConvUnit][] = []
  ;[...filters].reverse().forEach((f, i) => {
    decoder.push(block(`dec${String(config.depth - i)}`, previous + f, f))
    previous = f
  })
  return {
    encoder,
    bottleneck,
    decoder,
    head: { kernel: 'head/kernel', bias: 'head/bias', inChannels: previous, outChannels: config.outChannels },
  }
}

/** Shape and role of every variable, in a stable order (the serialisation order). */
export interface VariableSpec {
  name: string
  shape: number[]
  trainable: boolean
  init: 'kaiming-uniform' | 'fan-in-uniform' | 'ones' | 'zeros'
  fanIn: number
}

export function unetVariableSpecs(config: UnetConfig): VariableSpec[] {
  const layout = unetLayout(config)
  const specs: VariableSpec[] = []
  const units = [...layout.encoder.flat(), ...layout.bottleneck, ...layout.decoder.flat()]
  for (const u of units) {
    const fanIn = u.inChannels * 9
    specs.push({
      name: u.kernel,
      shape: [3, 3, u.inChannels, u.outChannels],
      trainable: true,
      init: 'kaiming-uniform',
      fanIn,
    })
    specs.push({ name: u.bias, shape: [u.outChannels], trainable: true, init: 'fan-in-uniform', fanIn })
    specs.push({ name: u.gamma, shape: [u.outChannels], trainable: true, init: 'ones', fanIn })
    specs.push({ name: u.beta, shape: [u.outChannels], trainable: true, init: 'zeros', fanIn })
    specs.push({ name: u.movingMean, shape: [u.outChannels], trainable: false, init: 'zeros', fanIn })
    specs.push({ name: u.movingVariance, shape: [u.outChannels], trainable: false, init: 'ones', fanIn })
  }
  const h = layout.head
  specs.push({
    name: h.kernel,
    shape: [1, 1, h.inChannels, h.outChannels],
    trainable: true,
    init: 'kaiming-uniform',
    fanIn: h.inChannels,
  })
  specs.push({ name: h.bias, shape: [h.outChannels], trainable: true, init: 'fan-in-uniform', fanIn: h.inChannels })
  return specs
}

/** Trainable parameter count of a config (1,965,569 for the default). */
export function countParameters(config: UnetConfig): number {
  return unetVariableSpecs(config)
    .filter((s) => s.trainable)
    .reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1), 0)
}

/**
 * Initial values like PyTorch's defaults for Conv2d (kaiming-uniform with a = √5, i.e. U(±1/√fan_in) for
 * weights and biases) and BatchNorm2d (γ = 1, β = 0, running mean 0, variance 1), drawn from a seeded PRNG.
 */
export function initialValues(config: UnetConfig, seed: number): Map<string, Float32Array> {
  const prng = createPrng(seed)
  const values = new Map<string, Float32Array>()
  for (const spec of unetVariableSpecs(config)) {
    const size = spec.shape.reduce((a, b) => a * b, 1)
    const data = new Float32Array(size)
    if (spec.init === 'ones') data.fill(1)
    else if (spec.init === 'kaiming-uniform' || spec.init === 'fan-in-uniform') {
      const bound = 1 / Math.sqrt(spec.fanIn)
      for (let i = 0; i < size; i += 1) data[i] = prng.uniform(-bound, bound)
    }
    values.set(spec.name, data)
  }
  return values
}

/** A U-Net instance: its variables by name, and forward passes. Dispose it to free the variables. */
export interface Unet {
  readonly config: UnetConfig
  readonly layout: UnetLayout
  /** Every variable (trainable and running statistics), by name, in spec order. */
  readonly variables: ReadonlyMap<string, tf.Variable>
  /** The trainable ones, by name. */
  readonly trainable: ReadonlyMap<string, tf.Variable>
  /**
   * Training forward pass: batch statistics, and (unless `updateStatistics` is false) the running statistics
   * updated in place, like PyTorch's `model.train()`. Returns logits [N, H, W, outChannels].
   */
  trainForward(x: tf.Tensor4D, options?: { updateStatistics?: boolean }): tf.Tensor4D
  /** Inference forward pass with the running statistics (`model.eval()`), BatchNorm folded into the convs. */
  predictLogits(x: tf.Tensor4D): tf.Tensor4D
  dispose(): void
}

/** Creates a U-Net with fresh (seeded) weights, or with `values` by name (from a checkpoint or export). */
export function createUnet(
  config: UnetConfig = DEFAULT_UNET,
  options: { seed?: number; values?: ReadonlyMap<string, Float32Array> } = {},
): Unet {
  const specs = unetVariableSpecs(config)
  const values = options.values ?? initialValues(config, options.seed ?? 42)
  const variables = new Map<string, tf.Variable>()
  const trainable = new Map<string, tf.Variable>()
  for (const spec of specs) {
    const data = values.get(spec.name)
    const size = spec.shape.reduce((a, b) => a * b, 1)
    if (data?.length !== size) {
      variables.forEach((v) => v.dispose())
      throw new Error(`weights for ${spec.name}: expected ${String(size)} values, got ${String(data?.length ?? 0)}`)
    }
    // No tfjs name: variable names are global in the engine, and two models may coexist (candidate and production).
    const variable = tf.tidy(() => tf.variable(tf.tensor(data, spec.shape), spec.trainable))
    variables.set(spec.name, variable)
    if (spec.trainable) trainable.set(spec.name, variable)
  }
  const layout = unetLayout(config)
  const get = (name: string): tf.Variable => {
    const v = variables.get(name)
    if (v === undefined) throw new Error(`no variable ${name}`)
    return v
  }

  const trainUnit = (x: tf.Tensor4D, u: ConvUnit, update: boolean): tf.Tensor4D => {
    const z = tf.conv2d(x, get(u.kernel) as tf.Tensor4D, 1, 'same')
    const { y, mean, variance } = batchNormRelu(
      z,
      get(u.bias) as tf.Tensor1D,
      get(u.gamma) as tf.Tensor1D,
      get(u.beta) as tf.Tensor1D,
    )
    if (update) {
      const count = z.size / u.outChannels
      const movingMean = get(u.movingMean)
      const movingVariance = get(u.movingVariance)
      tf.tidy(() => {
        movingMean.assign(tf.add(tf.mul(movingMean, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM)))
        // Running variance uses the unbiased estimate, as PyTorch does.
        const unbiased = tf.mul(variance, count / Math.max(1, count - 1))
        movingVariance.assign(tf.add(tf.mul(movingVariance, 1 - BN_MOMENTUM), tf.mul(unbiased, BN_MOMENTUM)))
      })
    }
    return y
  }

  const forward = (x: tf.Tensor4D, unit: (x: tf.Tensor4D, u: ConvUnit) => tf.Tensor4D): tf.Tensor4D => {
    const side = 2 ** config.depth
    if (x.shape[1] % side !== 0 || x.shape[2] % side !== 0) {
      throw new Error(`input ${String(x.shape[1])}×${String(x.shape[2])} is not divisible by ${String(side)}`)
    }
    const skips: tf.Tensor4D[] = []
    let h = x
    for (const [a, b] of layout.encoder) {
      h = unit(unit(h, a), b)
      skips.push(h)
      h = tf.maxPool(h, 2, 2, 'valid')
    }
    h = unit(unit(h, layout.bottleneck[0]), layout.bottleneck[1])
    layout.decoder.forEach(([a, b], i) => {
      const skip = skips[skips.length - 1 - i] as tf.Tensor4D
      h = unit(unit(concatChannels(upsample2x(h), skip), a), b)
    })
    return tf.conv2d(h, get(layout.head.kernel) as tf.Tensor4D, 1, 'same').add(get(layout.head.bias))
  }

  const inferenceUnit = (x: tf.Tensor4D, u: ConvUnit): tf.Tensor4D =>
    tf.tidy(() => {
      // BatchNorm with running statistics folded into the convolution: one fused conv + bias + ReLU.
      const scale = tf.mul(get(u.gamma), tf.rsqrt(tf.add(get(u.movingVariance), BN_EPSILON)))
      const kernel = tf.mul<tf.Tensor4D>(get(u.kernel), scale)
      const bias = tf.add<tf.Tensor1D>(tf.mul(tf.sub(get(u.bias), get(u.movingMean)), scale), get(u.beta))
      return tf.fused.conv2d({ x, filter: kernel, strides: 1, pad: 'same', bias, activation: 'relu' })
    })

  return {
    config,
    layout,
    variables,
    trainable,
    trainForward: (x, opts = {}) => forward(x, (h, u) => trainUnit(h, u, opts.updateStatistics !== false)),
    predictLogits: (x) => tf.tidy(() => forward(x, inferenceUnit)),
    dispose: () => variables.forEach((v) => v.dispose()),
  }
}
