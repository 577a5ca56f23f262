import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import sharp from 'sharp'
import { nullSink, type EventSink } from '../events/event-sink.js'
import { selectBackend, type BackendChoice, type BackendPreference } from './backend/select-backend.js'
import { decodeImage, MAX_INPUT_PIXELS, type ImageInput } from './data/decode.js'
import { preprocessImage } from './data/preprocess.js'
import type { ModelMetadata } from './model/metadata.js'
import { loadModel } from './model/model-files.js'
import { refuseDatasetOutput, uniqueStems } from './predict-output.js'
import type { Unet } from './model/unet.js'

/** One prediction written to disk. */
export interface PredictionFile {
  image: string
  /** Binary PNG (0/255), at the photo's own size after EXIF orientation. */
  mask: string
  /** The photo with the mask tinted red (JPEG), or null when overlays are off. */
  overlay: string | null
  width: number
  height: number
  /** Share of foreground pixels in the mask. */
  foreground: number
}

export interface PredictOptions {
  overlay?: boolean
  threshold?: number
  backend?: BackendChoice | BackendPreference
  events?: EventSink
}

/** A loaded model ready to predict: what `predict`, `serve` and the app's "try it" share. Dispose it when done. */
export interface Predictor {
  readonly model: Unet
  readonly metadata: ModelMetadata
  /** Foreground ⇔ probability > threshold (the model's own unless overridden). */
  readonly threshold: number
  dispose(): void
}

/** One predicted mask, in memory. */
export interface MaskPrediction {
  /** Binary mask bytes (0/255), one channel, `width × height` (the photo's size after EXIF orientation). */
  mask: Buffer
  width: number
  height: number
  /** Share of foreground pixels in the mask. */
  foreground: number
}

/** Loads a model folder into a {@link Predictor} on the active backend (select one first). */
export async function loadPredictor(modelDir: string, options: { threshold?: number } = {}): Promise<Predictor> {
  const { model, metadata } = await loadModel(modelDir)
  return { model, metadata, threshold: options.threshold ?? metadata.threshold, dispose: () => model.dispose() }
}

/**
 * Predicts one photo's mask: oriented (EXIF), resized to the model's input, preprocessed like training, and its
 * probability map resized back to the photo's own size (bilinear) before thresholding, so the mask lines up with
 * the photo — the old API returned 512×512 whatever the input. `maxPixels` refuses larger photos undecoded.
 */
export async function predictMask(
  predictor: Predictor,
  image: ImageInput,
  options: { maxPixels?: number } = {},
): Promise<MaskPrediction> {
  const { metadata, model } = predictor
  const size = metadata.input.size
  const decoded = await decodeImage(image, size, options.maxPixels ?? MAX_INPUT_PIXELS)
  const input = new Float32Array(size * size * 3)
  preprocessImage(decoded.rgb, size, size, input, 0, 1, {
    lowPercentile: metadata.preprocessing.contrastStretch.lowPercentile,
    highPercentile: metadata.preprocessing.contrastStretch.highPercentile,
    medianSize: metadata.preprocessing.medianBlur,
  })
  const probabilities = tf.tidy(() => {
    const logits = model.predictLogits(tf.tensor4d(input, [1, size, size, 3]))
    return tf.sigmoid(logits).dataSync() as Float32Array
  })
  const { width, height } = decoded
  const { mask, foreground } = await probabilitiesToMask(probabilities, size, width, height, predictor.threshold)
  return { mask, width, height, foreground }
}

/** Encodes a mask from {@link predictMask} as a one-channel PNG. */
export function maskToPng(prediction: MaskPrediction): Promise<Buffer> {
  const { mask, width, height } = prediction
  // b-w keeps one grey channel (sharp would widen one-channel raw input to sRGB).
  return sharp(mask, { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer()
}

/** Predicts masks for photos into `outDir` (`<name>.mask.png`, and `<name>.overlay.jpg` unless overlays are off). */
export async function predictImages(
  modelDir: string,
  images: readonly string[],
  outDir: string,
  options: PredictOptions = {},
): Promise<PredictionFile[]> {
  const events = options.events ?? nullSink
  await refuseDatasetOutput(outDir)
  const stems = uniqueStems(images)
  if (typeof options.backend !== 'object') await selectBackend(options.backend ?? 'auto', { events })
  const predictor = await loadPredictor(
    modelDir,
    options.threshold === undefined ? {} : { threshold: options.threshold },
  )
  await mkdir(outDir, { recursive: true })
  const written: PredictionFile[] = []
  try {
    for (const [index, file] of images.entries()) {
      const prediction = await predictMask(predictor, file)
      const { mask, width, height, foreground } = prediction
      const stem = stems[index] ?? String(index)
      const maskFile = path.join(outDir, `${stem}.mask.png`)
      await writeFile(maskFile, await maskToPng(prediction))
      let overlayFile: string | null = null
      if (options.overlay !== false) {
        overlayFile = path.join(outDir, `${stem}.overlay.jpg`)
        const tint = Buffer.alloc(width * height * 4)
        for (let i = 0; i < mask.length; i += 1) {
          if (mask[i] !== 0) {
            tint[i * 4] = 255
            tint[i * 4 + 3] = 110
          }
        }
        await sharp(file, { limitInputPixels: MAX_INPUT_PIXELS })
          .rotate()
          .composite([{ input: tint, raw: { width, height, channels: 4 } }])
          .jpeg({ quality: 85 })
          .toFile(overlayFile)
      }
      written.push({ image: file, mask: maskFile, overlay: overlayFile, width, height, foreground })
      events.emit({ type: 'progress', step: 'evaluate', done: index + 1, total: images.length, unit: 'images' })
    }
  } finally {
    predictor.dispose()
  }
  return written
}

/**
 * A square probability map (model input size) → a binary mask (0/255) at the photo's size: the probabilities are
 * resized bilinearly first and thresholded afterwards, so edges follow the photo's resolution.
 */
export async function probabilitiesToMask(
  probabilities: Float32Array,
  size: number,
  width: number,
  height: number,
  threshold: number,
): Promise<{ mask: Buffer; foreground: number }> {
  const bytes = Buffer.alloc(size * size)
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.round((probabilities[i] as number) * 255)
  // sharp widens one-channel raw input to sRGB; extract the channel back.
  const resized = await sharp(bytes, { raw: { width: size, height: size, channels: 1 } })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .extractChannel(0)
    .raw()
    .toBuffer()
  const cut = threshold * 255
  const mask = Buffer.alloc(width * height)
  let foreground = 0
  for (let i = 0; i < mask.length; i += 1) {
    if ((resized[i] as number) > cut) {
      mask[i] = 255
      foreground += 1
    }
  }
  return { mask, foreground: foreground / mask.length }
}
