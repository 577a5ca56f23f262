import { createPrng } from '@wms/shared/util/prng'

/**
 * The old system's training augmentations, applied identically to an image and its mask: horizontal flip,
 * vertical flip, rotation (image bilinear, mask nearest, zero fill) on the resized pixels before preprocessing,
 * and a brightness factor applied after it (see `preprocessImage`). Seeded per (run seed, epoch, sample), so an
 * epoch's augmentations do not depend on prefetch order or timing.
 */

/** Probabilities and ranges (the workspace config's `training.augment`). */
export interface AugmentOptions {
  hflip: number
  vflip: number
  rotationDegrees: number
  rotationProb: number
  brightnessProb: number
  brightnessRange: readonly [number, number]
}

/** What was drawn for one sample. */
export interface AugmentDraw {
  hflip: boolean
  vflip: boolean
  /** Degrees, counter-clockwise; 0 = no rotation. */
  rotation: number
  brightness: number
}

/** A 32-bit seed from the run seed, the epoch and the sample's position (a small integer hash). */
export function sampleSeed(runSeed: number, epoch: number, sample: number): number {
  let h = (runSeed ^ 0x9e3779b9) >>> 0
  for (const v of [epoch, sample]) {
    h = Math.imul(h ^ (v >>> 0), 0x85ebca6b) >>> 0
    h = (h ^ (h >>> 13)) >>> 0
    h = Math.imul(h, 0xc2b2ae35) >>> 0
    h = (h ^ (h >>> 16)) >>> 0
  }
  return h
}

/** Draws the augmentations of one sample. */
export function drawAugment(options: AugmentOptions, seed: number): AugmentDraw {
  const prng = createPrng(seed)
  const hflip = prng.chance(options.hflip)
  const vflip = prng.chance(options.vflip)
  const rotate = prng.chance(options.rotationProb)
  const angle = prng.uniform(-options.rotationDegrees, options.rotationDegrees)
  const bright = prng.chance(options.brightnessProb)
  const factor = prng.uniform(options.brightnessRange[0], options.brightnessRange[1])
  return { hflip, vflip, rotation: rotate ? angle : 0, brightness: bright ? factor : 1 }
}

/**
 * Applies the geometric part of `draw` to an interleaved image (`channels` per pixel) and a one-byte-per-pixel
 * mask of the same size. Returns new arrays; the inputs (cached, shared across epochs) are not modified.
 */
export function augmentGeometry(
  image: Uint8Array,
  mask: Uint8Array,
  width: number,
  height: number,
  channels: number,
  draw: AugmentDraw,
): { image: Uint8Array; mask: Uint8Array } {
  let img = image
  let msk = mask
  if (draw.hflip || draw.vflip) {
    img = flip(img, width, height, channels, draw.hflip, draw.vflip)
    msk = flip(msk, width, height, 1, draw.hflip, draw.vflip)
  }
  if (draw.rotation !== 0) {
    img = rotateBilinear(img, width, height, channels, draw.rotation)
    msk = rotateNearest(msk, width, height, draw.rotation)
  }
  return { image: img === image ? image.slice() : img, mask: msk === mask ? mask.slice() : msk }
}

function flip(src: Uint8Array, width: number, height: number, channels: number, h: boolean, v: boolean): Uint8Array {
  const out = new Uint8Array(src.length)
  for (let y = 0; y < height; y += 1) {
    const sy = v ? height - 1 - y : y
    for (let x = 0; x < width; x += 1) {
      const sx = h ? width - 1 - x : x
      const to = (y * width + x) * channels
      const from = (sy * width + sx) * channels
      for (let c = 0; c < channels; c += 1) out[to + c] = src[from + c] as number
    }
  }
  return out
}

/**
 * The inverse mapping of a rotation by `degrees` about the centre: output (x, y) reads the source at
 * (cos·dx − sin·dy + cx, sin·dx + cos·dy + cy), with (dx, dy) = (x − cx, y − cy).
 */
function rotation(
  width: number,
  height: number,
  degrees: number,
): { cos: number; sin: number; cx: number; cy: number } {
  const theta = (degrees * Math.PI) / 180
  return { cos: Math.cos(theta), sin: Math.sin(theta), cx: (width - 1) / 2, cy: (height - 1) / 2 }
}

function rotateBilinear(src: Uint8Array, width: number, height: number, channels: number, degrees: number): Uint8Array {
  const out = new Uint8Array(src.length)
  const { cos, sin, cx, cy } = rotation(width, height, degrees)
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const sx = cos * (x - cx) - sin * (y - cy) + cx
      const sy = sin * (x - cx) + cos * (y - cy) + cy
      const x0 = Math.floor(sx)
      const y0 = Math.floor(sy)
      const fx = sx - x0
      const fy = sy - y0
      // Weights of the four neighbours; those outside the image count as zero (zero fill).
      const inX0 = x0 >= 0 && x0 < width
      const inX1 = x0 + 1 >= 0 && x0 + 1 < width
      const inY0 = y0 >= 0 && y0 < height
      const inY1 = y0 + 1 >= 0 && y0 + 1 < height
      const w00 = inX0 && inY0 ? (1 - fx) * (1 - fy) : 0
      const w10 = inX1 && inY0 ? fx * (1 - fy) : 0
      const w01 = inX0 && inY1 ? (1 - fx) * fy : 0
      const w11 = inX1 && inY1 ? fx * fy : 0
      if (w00 + w10 + w01 + w11 === 0) continue
      const cx0 = Math.min(width - 1, Math.max(0, x0))
      const cx1 = Math.min(width - 1, Math.max(0, x0 + 1))
      const cy0 = Math.min(height - 1, Math.max(0, y0))
      const cy1 = Math.min(height - 1, Math.max(0, y0 + 1))
      const i00 = (cy0 * width + cx0) * channels
      const i10 = (cy0 * width + cx1) * channels
      const i01 = (cy1 * width + cx0) * channels
      const i11 = (cy1 * width + cx1) * channels
      const to = (y * width + x) * channels
      for (let c = 0; c < channels; c += 1) {
        out[to + c] = Math.round(
          w00 * (src[i00 + c] as number) +
            w10 * (src[i10 + c] as number) +
            w01 * (src[i01 + c] as number) +
            w11 * (src[i11 + c] as number),
        )
      }
    }
  }
  return out
}

function rotateNearest(src: Uint8Array, width: number, height: number, degrees: number): Uint8Array {
  const out = new Uint8Array(src.length)
  const { cos, sin, cx, cy } = rotation(width, height, degrees)
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const px = Math.round(cos * (x - cx) - sin * (y - cy) + cx)
      const py = Math.round(sin * (x - cx) + cos * (y - cy) + cy)
      if (px >= 0 && px < width && py >= 0 && py < height) out[y * width + x] = src[py * width + px] as number
    }
  }
  return out
}
