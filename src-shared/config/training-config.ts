import { z } from 'zod'
import { configObject } from './strict-object.js'

/**
 * Training settings (the workspace config's `training` section; `training-runner train --config` overrides it).
 * Defaults are the old system's `train.yaml` except the input size: 128² instead of 512², because a CPU (wasm)
 * step at 512² takes ~7 s per image and batch 4 does not fit wasm's 4 GiB heap (see the perf study).
 */
export const TrainingConfigSchema = configObject({
  /** Square input side in pixels; photos are resized to it. A multiple of 16 (four 2× poolings). */
  imageSize: z
    .number()
    .int()
    .min(32)
    .max(1024)
    .refine((v) => v % 16 === 0, 'must be a multiple of 16')
    .default(128),
  /** Filters of the first U-Net level (16 = the old model, 1,965,569 parameters). */
  baseFilters: z.number().int().min(2).max(64).default(16),
  batchSize: z.number().int().min(1).max(64).default(4),
  /** Upper bound; early stopping usually ends training sooner. */
  epochs: z.number().int().min(1).max(1000).default(50),
  /**
   * Adam's peak learning rate (issue 18: 1e-3 with the BCE + Dice loss beat the old 1e-4 at the same time budget,
   * see docs/training.md "Recipe"; the old system's value was 1e-4).
   */
  learningRate: z.number().positive().default(1e-3),
  /** L2 weight decay added to the gradient (PyTorch Adam's coupled `weight_decay`). */
  weightDecay: z.number().nonnegative().default(1e-4),
  /**
   * Training loss (issue 18). `bce`: the old system's binary cross-entropy. `bce-dice`: BCE + diceWeight × soft
   * Dice loss (per image, then averaged), which copes with the ~2 % foreground of meter masks. `focal-dice`:
   * focal loss (γ = focalGamma) + diceWeight × soft Dice.
   */
  loss: z.enum(['bce', 'bce-dice', 'focal-dice']).default('bce-dice'),
  diceWeight: z.number().nonnegative().default(1),
  focalGamma: z.number().nonnegative().default(2),
  /** Linear learning-rate warm-up from ~0 to learningRate over this many epochs (counted in steps; 0 = none). */
  warmupEpochs: z.number().nonnegative().default(1),
  /**
   * What early stopping, the best checkpoint and the plateau schedule watch: `val-dice` (higher is better; the
   * metric the gate judges) or `val-loss` (the old system's choice). Without a validation split: the training loss.
   */
  monitor: z.enum(['val-dice', 'val-loss']).default('val-dice'),
  /** Wall-clock budget in seconds: training stops at the first step boundary after it (then validates, exports). */
  maxSeconds: z.number().positive().nullable().default(null),
  /**
   * Data-parallel worker threads (wasm backend): each runs its own wasm instance on a share of every batch, the
   * gradients are averaged in shared memory. `auto` = one per CPU core (at most the batch size) from 128² up,
   * in process below (steps too short to gain); 1 = in process.
   */
  workers: z.union([z.literal('auto'), z.number().int().min(1).max(64)]).default('auto'),
  /**
   * Images per forward/backward pass; a larger share of the batch is split and its gradients accumulated. null =
   * as many as fit (on wasm, the largest pass that fits the 4 GiB heap, so 512² at batch 4 trains).
   */
  microBatchSize: z.number().int().min(1).max(64).nullable().default(null),
  /** Epochs without a better monitored value before stopping. */
  earlyStoppingPatience: z.number().int().min(1).default(5),
  /** ReduceLROnPlateau: factor, patience (epochs) and floor of the learning rate, on the monitored value. */
  schedulerFactor: z.number().gt(0).lt(1).default(0.5),
  schedulerPatience: z.number().int().min(1).default(3),
  minLearningRate: z.number().nonnegative().default(1e-6),
  /** A pixel is foreground when sigmoid(logit) > threshold. */
  threshold: z.number().gt(0).lt(1).default(0.5),
  /** Seeds weight initialisation, shuffling and augmentation (not the split: that follows content hashes). */
  seed: z.number().int().default(42),
  /** TensorFlow.js backend; `auto` = tfjs-node-gpu → tfjs-node → wasm → cpu. */
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu', 'webgpu']).default('auto'),
  /** Relative sizes of the content-hash split (see `dataset/split.ts`). */
  split: z
    .object({
      train: z.number().int().min(1).default(80),
      val: z.number().int().min(1).default(10),
      test: z.number().int().min(1).default(10),
    })
    .prefault({}),
  /** Training augmentations, applied identically to image and mask. */
  augment: z
    .object({
      hflip: z.number().min(0).max(1).default(0.5),
      vflip: z.number().min(0).max(1).default(0.3),
      rotationDegrees: z.number().min(0).max(45).default(10),
      rotationProb: z.number().min(0).max(1).default(0.5),
      brightnessProb: z.number().min(0).max(1).default(0.3),
      brightnessRange: z.tuple([z.number().positive(), z.number().positive()]).default([0.8, 1.2]),
    })
    .prefault({}),
})

/** Parsed training settings. */
export type TrainingConfig = z.infer<typeof TrainingConfigSchema>
