import * as tf from '@tensorflow/tfjs'
import { bceWithLogits } from './bce-loss.js'

/** The training losses the config offers (`training.loss`). */
export type LossName = 'bce' | 'bce-dice' | 'focal-dice'

export interface LossOptions {
  loss: LossName
  /** Weight of the soft Dice term. */
  diceWeight: number
  /** Focal loss exponent γ (0 = plain BCE). */
  focalGamma: number
}

/** Smoothing of the soft Dice ratio: an empty mask predicted empty scores 1, and the gradient stays finite. */
const DICE_SMOOTH = 1

/**
 * Soft Dice loss, per image then averaged: 1 − (2·Σpy + s) / (Σp + Σy + s) with p = σ(z). Per image (not pooled
 * over the batch) so that a batch's loss is the mean of its images' losses — which makes it split exactly over
 * micro-batches and workers (gradient accumulation and data-parallel training average per-image terms).
 */
export function softDiceLoss(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.sigmoid(logits)
    const axes = [1, 2, 3]
    const intersection = tf.sum(tf.mul(p, targets), axes)
    const total = tf.add(tf.sum(p, axes), tf.sum(targets, axes))
    const dice = tf.div(tf.add(tf.mul(intersection, 2), DICE_SMOOTH), tf.add(total, DICE_SMOOTH))
    return tf.mean(tf.sub(1, dice))
  })
}

/**
 * Binary focal loss on logits (Lin et al.), mean over pixels: −(1−p_t)^γ · log p_t, with log p_t computed stably as
 * −softplus(∓z). γ = 0 is BCE. Down-weights the easy background pixels that dominate a ~2 % foreground mask.
 */
export function focalLoss(logits: tf.Tensor, targets: tf.Tensor, gamma: number): tf.Scalar {
  return tf.tidy(() => {
    // z·(1−2y) is −z for foreground and z for background: log p_t = −softplus(z·(1−2y)).
    const signed = tf.mul(logits, tf.sub(1, tf.mul(targets, 2)))
    const logPt = tf.neg(stableSoftplus(signed))
    const weight = gamma === 0 ? tf.onesLike(logPt) : tf.pow(tf.sub(1, tf.exp(logPt)), gamma)
    return tf.mean(tf.neg(tf.mul(weight, logPt)))
  })
}

/** softplus(x) = max(x, 0) + log(1 + e^−|x|), differentiable with ordinary ops on every backend. */
function stableSoftplus(x: tf.Tensor): tf.Tensor {
  return tf.add(tf.relu(x), tf.log1p(tf.exp(tf.neg(tf.abs(x)))))
}

/** The configured training loss of a batch (a mean over its images, so it splits over micro-batches). */
export function trainingLoss(logits: tf.Tensor, targets: tf.Tensor, options: LossOptions): tf.Scalar {
  return tf.tidy(() => {
    const pixelTerm =
      options.loss === 'focal-dice' ? focalLoss(logits, targets, options.focalGamma) : bceWithLogits(logits, targets)
    if (options.loss === 'bce' || options.diceWeight === 0) return pixelTerm
    return tf.add(pixelTerm, tf.mul(softDiceLoss(logits, targets), options.diceWeight))
  })
}
