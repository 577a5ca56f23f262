import { countMasks, overlapScores } from '@wms/shared/metrics/segmentation'
import { MASK_THRESHOLD, predictMask, type Predictor } from 'training-runner'
import sharp from 'sharp'

/** The longest side of the overlays sent to the renderer: enough for the view, small enough for one message. */
export const OVERLAY_MAX_SIDE = 640

/** Largest photo or mask decoded (the runner's prediction refuses larger photos with the same limit). */
const MAX_PIXELS = 80_000_000

/** A version's prediction on one photo, compared with the annotator's mask. */
export interface PhotoComparison {
  width: number
  height: number
  foreground: number
  dice: number
  iou: number
  /** PNG: the predicted mask as a translucent tint, at most {@link OVERLAY_MAX_SIDE} on its longest side. */
  predictedOverlay: Buffer
  /** PNG: where only the model sees counter (magenta), only the annotator (blue), both (faint green). */
  differenceOverlay: Buffer
}

const TINT = { predicted: [255, 64, 64, 140], modelOnly: [214, 51, 132, 200], annotatorOnly: [28, 126, 214, 200] }
const BOTH = [64, 192, 87, 70]

/**
 * Predicts `image`'s mask with the runner's `predictMask` — the code `training-runner predict` runs, at the photo's
 * own size after EXIF orientation — and scores it against the annotator's mask (`mask`, oriented the same way and
 * brought to the photo's size with nearest neighbour) with the metrics the gate uses.
 */
export async function tryOnPhoto(predictor: Predictor, image: string, mask: string): Promise<PhotoComparison> {
  const prediction = await predictMask(predictor, image)
  const { width, height } = prediction
  const annotator = await readBinaryMask(mask, width, height)
  const scores = overlapScores(countMasks(prediction.mask, annotator))
  const predicted = Buffer.alloc(width * height * 4)
  const difference = Buffer.alloc(width * height * 4)
  for (let i = 0; i < annotator.length; i += 1) {
    const model = prediction.mask[i] !== 0
    const person = annotator[i] !== 0
    if (model) predicted.set(TINT.predicted, i * 4)
    if (model && person) difference.set(BOTH, i * 4)
    else if (model) difference.set(TINT.modelOnly, i * 4)
    else if (person) difference.set(TINT.annotatorOnly, i * 4)
  }
  const [predictedOverlay, differenceOverlay] = await Promise.all([
    overlayPng(predicted, width, height),
    overlayPng(difference, width, height),
  ])
  return {
    width,
    height,
    foreground: prediction.foreground,
    dice: clamp01(scores.dice),
    iou: clamp01(scores.iou),
    predictedOverlay,
    differenceOverlay,
  }
}

/** A mask file as 0/1 bytes at `width × height` (EXIF orientation applied, nearest neighbour). */
export async function readBinaryMask(file: string, width: number, height: number): Promise<Uint8Array> {
  const { data, info } = await sharp(file, { limitInputPixels: MAX_PIXELS, failOn: 'error' })
    .rotate()
    .resize(width, height, { fit: 'fill', kernel: 'nearest' })
    .raw()
    .toBuffer({ resolveWithObject: true })
  const mask = new Uint8Array(width * height)
  for (let i = 0; i < mask.length; i += 1) mask[i] = (data[i * info.channels] as number) >= MASK_THRESHOLD ? 1 : 0
  return mask
}

function overlayPng(rgba: Buffer, width: number, height: number): Promise<Buffer> {
  const scale = Math.min(1, OVERLAY_MAX_SIDE / Math.max(width, height))
  return sharp(rgba, { raw: { width, height, channels: 4 } })
    .resize(Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale)), { kernel: 'nearest' })
    .png({ compressionLevel: 9, palette: true })
    .toBuffer()
}

// The ratios carry a 1e-6 smoothing term; the contract's scores are plain shares.
function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value))
}
