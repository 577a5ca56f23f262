import * as tf from '@tensorflow/tfjs'

/**
 * Mean binary cross-entropy on logits (PyTorch's `BCEWithLogitsLoss`, `pos_weight` 1), in the numerically stable
 * form max(z, 0) − z·y + log(1 + e^−|z|), with the closed-form gradient (σ(z) − y)/n instead of differentiating
 * through `abs` and `log1p`.
 */
export function bceWithLogits(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  const loss = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [zt, yt, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc]
    save([zt, yt])
    const value = tf.mean(tf.add(tf.sub(tf.relu(zt), tf.mul(zt, yt)), tf.log1p(tf.exp(tf.neg(tf.abs(zt))))))
    return {
      value: value as tf.Scalar,
      gradFunc: (dy, saved) => {
        const [zs, ys] = saved as [tf.Tensor, tf.Tensor]
        const scale = tf.div(dy, zs.size)
        return [tf.mul(tf.sub(tf.sigmoid(zs), ys), scale), tf.zerosLike(ys)]
      },
    }
  })
  return loss(logits, targets)
}
