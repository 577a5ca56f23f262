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
  /** Adam's learning rate. */
  learningRate: z.number().positive().default(1e-4),
  /** L2 weight decay added to the gradient (PyTorch Adam's coupled `weight_decay`). */
  weightDecay: z.number().nonnegative().default(1e-4),
  /** Epochs without a lower validation loss before stopping. */
  earlyStoppingPatience: z.number().int().min(1).default(5),
  /** ReduceLROnPlateau: factor, patience (epochs) and floor of the learning rate, on the validation loss. */
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
