import { z } from 'zod'

/**
 * `metadata.json` of an exported model: everything needed to use it correctly (input size, preprocessing,
 * threshold) and to judge it (metrics, data version, split, backend, training settings).
 */

const ScoresSchema = z.object({
  count: z.number().int().nonnegative(),
  dice: z.number(),
  iou: z.number(),
  accuracy: z.number(),
  hausdorff: z.number(),
})

export const ModelMetadataSchema = z.object({
  schemaVersion: z.literal(1),
  createdAt: z.string(),
  generatedBy: z.string(),
  architecture: z.object({
    name: z.literal('unet'),
    inChannels: z.number().int(),
    baseFilters: z.number().int(),
    outChannels: z.number().int(),
    depth: z.number().int(),
    parameters: z.number().int(),
  }),
  input: z.object({
    /** Square side the model was trained at; photos are resized to it (aspect ratio not kept). */
    size: z.number().int(),
    channels: z.literal(3),
    layout: z.literal('NHWC'),
    /** EXIF orientation is applied before resizing. */
    exifOrientation: z.literal(true),
    resize: z.object({ image: z.literal('bilinear'), mask: z.literal('nearest') }),
  }),
  preprocessing: z.object({
    contrastStretch: z.object({ lowPercentile: z.number(), highPercentile: z.number() }),
    medianBlur: z.number().int(),
    scale: z.literal('0..1'),
  }),
  /** Foreground ⇔ sigmoid(logit) > threshold. */
  threshold: z.number(),
  maskThreshold: z.number().int(),
  metrics: z.object({
    bestEpoch: z.number().int().nonnegative(),
    epochsRun: z.number().int().nonnegative(),
    val: ScoresSchema.extend({ loss: z.number() }).nullable(),
    test: ScoresSchema.nullable(),
  }),
  data: z.object({
    /** Caller-supplied dataset version (e.g. the DVC directory hash), or null. */
    version: z.string().nullable(),
    /** MD5 over the sorted image hashes of all pairs used: the dataset's content identity. */
    contentHash: z.string(),
    split: z.object({ train: z.number(), val: z.number(), test: z.number() }),
    counts: z.object({ train: z.number().int(), val: z.number().int(), test: z.number().int() }),
  }),
  backend: z.object({ name: z.string(), candidate: z.string() }),
  training: z.record(z.string(), z.unknown()),
})

/** A parsed `metadata.json`. */
export type ModelMetadata = z.infer<typeof ModelMetadataSchema>
