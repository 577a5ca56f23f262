import { z } from 'zod'

/** Training settings; defaults are the old system's `train.yaml` except the input size (128², see the perf study). */
export const TrainingConfigSchema = z.object({
  imageSize: z.number().int().min(32).max(1024).default(128),
  baseFilters: z.number().int().min(2).max(64).default(16),
  batchSize: z.number().int().min(1).max(64).default(4),
  epochs: z.number().int().min(1).max(1000).default(50),
  learningRate: z.number().positive().default(1e-4),
  weightDecay: z.number().nonnegative().default(1e-4),
  earlyStoppingPatience: z.number().int().min(1).default(5),
  schedulerFactor: z.number().gt(0).lt(1).default(0.5),
  schedulerPatience: z.number().int().min(1).default(3),
  minLearningRate: z.number().nonnegative().default(1e-6),
  threshold: z.number().gt(0).lt(1).default(0.5),
  seed: z.number().int().default(42),
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu', 'webgpu']).default('auto'),
  split: z
    .object({
      train: z.number().int().min(1).default(80),
      val: z.number().int().min(1).default(10),
      test: z.number().int().min(1).default(10),
    })
    .prefault({}),
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
