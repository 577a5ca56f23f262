import type { Prng } from '@wms/shared/util/prng'

/**
 * Renders one synthetic water-meter photo and its counter-area mask, in memory.
 *
 * The picture is meter-like on purpose (a dial, a dark counter window with seven-segment digits, a slight
 * tilt, sensor noise) so that QA, training and the demo exercise the same shapes as real data: a small
 * foreground (2–6 %) that a U-Net can learn in a few epochs.
 */

/** What to draw. */
export interface SyntheticPairSpec {
  width: number
  height: number
  /** Digits shown in the counter window, e.g. `"00591381"` (the last 3 are decimals, drawn on red). */
  digits: string
}

/** An RGB image (3 bytes per pixel) and its binary mask (1 byte per pixel, 0 or 255), both row-major. */
export interface SyntheticPair {
  width: number
  height: number
  rgb: Uint8Array
  mask: Uint8Array
  /** Share of mask pixels that are foreground. */
  foreground: number
}

// Seven-segment layout: which of the segments a..g are lit for each digit.
const SEGMENTS: Record<string, string> = {
  '0': 'abcdef',
  '1': 'bc',
  '2': 'abdeg',
  '3': 'abcdg',
  '4': 'bcfg',
  '5': 'acdfg',
  '6': 'acdefg',
  '7': 'abc',
  '8': 'abcdefg',
  '9': 'abcdfg',
}

/** True when the cell-local point (x, y in [0,1]) lies on a lit segment of `digit`. */
function onSegment(digit: string, x: number, y: number): boolean {
  const lit = SEGMENTS[digit] ?? ''
  const t = 0.14 // stroke thickness relative to the cell
  const left = x > 0.18 && x < 0.18 + t
  const right = x > 0.82 - t && x < 0.82
  const hspan = x > 0.18 && x < 0.82
  const top = y > 0.12 && y < 0.12 + t * 0.7
  const mid = Math.abs(y - 0.5) < t * 0.35
  const bottom = y > 0.88 - t * 0.7 && y < 0.88
  const upper = y > 0.12 && y < 0.5
  const lower = y > 0.5 && y < 0.88
  return (
    (lit.includes('a') && hspan && top) ||
    (lit.includes('b') && right && upper) ||
    (lit.includes('c') && right && lower) ||
    (lit.includes('d') && hspan && bottom) ||
    (lit.includes('e') && left && lower) ||
    (lit.includes('f') && left && upper) ||
    (lit.includes('g') && hspan && mid)
  )
}

const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v)

/** Draws one pair. Pure and deterministic for a given `spec` and `prng` state. */
export function renderSyntheticPair(spec: SyntheticPairSpec, prng: Prng): SyntheticPair {
  const { width, height, digits } = spec
  const rgb = new Uint8Array(width * height * 3)
  const mask = new Uint8Array(width * height)
  const short = Math.min(width, height)

  const [topR, topG, topB] = [prng.int(40, 230), prng.int(40, 220), prng.int(40, 210)]
  const [bottomR, bottomG, bottomB] = [prng.int(20, 160), prng.int(20, 160), prng.int(20, 160)]
  // Scene layout varies enough that perceptual hashes of different pairs stay far apart (no false near-duplicates).
  const cx = width / 2 + prng.uniform(-0.22, 0.22) * width
  const cy = height / 2 + prng.uniform(-0.2, 0.2) * height
  const radius = short * prng.uniform(0.26, 0.4)
  const gradientAngle = prng.uniform(0, Math.PI * 2)
  const gx = Math.cos(gradientAngle)
  const gy = Math.sin(gradientAngle)
  // Pipes and fittings behind the meter: a few dark or coloured bars.
  const bars = Array.from({ length: prng.int(1, 3) }, () => {
    const vertical = prng.chance(0.5)
    const thickness = short * prng.uniform(0.08, 0.3)
    const centre = prng.uniform(0.15, 0.85) * (vertical ? width : height)
    return {
      vertical,
      from: centre - thickness / 2,
      to: centre + thickness / 2,
      shade: [prng.int(20, 200), prng.int(20, 160), prng.int(20, 140)] as const,
    }
  })
  const ring = radius * 0.1
  const [faceR, faceG, faceB] = [prng.int(205, 240), prng.int(205, 240), prng.int(195, 230)]

  // The counter window: a tilted rectangle in the upper half of the dial.
  const winW = radius * prng.uniform(1.05, 1.25)
  const winH = radius * prng.uniform(0.24, 0.3)
  const winCx = cx + prng.uniform(-0.05, 0.05) * radius
  const winCy = cy - radius * prng.uniform(0.12, 0.25)
  const angle = (prng.uniform(-8, 8) * Math.PI) / 180
  const cos = Math.cos(angle)
  const sin = Math.sin(angle)
  const decimals = Math.min(3, digits.length)
  const noise = prng.uniform(4, 10)
  const light = prng.uniform(0.85, 1.1)

  // A low-frequency lighting pattern (a 4×4 grid of brightness shifts, interpolated) makes each scene a different
  // picture at the coarse scale perceptual hashes see, as real photos are; without it many synthetic meters are
  // near-duplicates of each other.
  const lighting = Array.from({ length: 16 }, () => prng.uniform(-70, 70))
  const lightAt = (x: number, y: number): number => {
    const gx = (x / Math.max(1, width - 1)) * 3
    const gy = (y / Math.max(1, height - 1)) * 3
    const x0 = Math.min(2, Math.floor(gx))
    const y0 = Math.min(2, Math.floor(gy))
    const fx = gx - x0
    const fy = gy - y0
    const at = (i: number, j: number): number => lighting[j * 4 + i] ?? 0
    return (
      at(x0, y0) * (1 - fx) * (1 - fy) +
      at(x0 + 1, y0) * fx * (1 - fy) +
      at(x0, y0 + 1) * (1 - fx) * fy +
      at(x0 + 1, y0 + 1) * fx * fy
    )
  }

  let foreground = 0
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const i = y * width + x
      const t = 0.5 + 0.5 * ((x / width - 0.5) * gx + (y / height - 0.5) * gy) * 1.4
      let r = topR + (bottomR - topR) * t
      let g = topG + (bottomG - topG) * t
      let b = topB + (bottomB - topB) * t
      for (const bar of bars) {
        const along = bar.vertical ? x : y
        if (along >= bar.from && along < bar.to) {
          // A cylinder's shading across the bar.
          const across = (along - bar.from) / (bar.to - bar.from)
          const shade = 0.55 + 0.45 * Math.sin(across * Math.PI)
          r = bar.shade[0] * shade
          g = bar.shade[1] * shade
          b = bar.shade[2] * shade
        }
      }

      const dx = x - cx
      const dy = y - cy
      const dist = Math.sqrt(dx * dx + dy * dy)
      if (dist < radius + ring) {
        if (dist > radius) {
          r = 35
          g = 38
          b = 42
        } else {
          // A soft vignette on the dial face.
          const shade = 1 - 0.18 * (dist / radius) ** 2
          r = faceR * shade
          g = faceG * shade
          b = faceB * shade
        }
      }

      // Window-local coordinates (u across, v down), rotated by the window's tilt.
      const wx = x - winCx
      const wy = y - winCy
      const u = wx * cos + wy * sin + winW / 2
      const v = -wx * sin + wy * cos + winH / 2
      if (u >= 0 && u < winW && v >= 0 && v < winH) {
        mask[i] = 255
        foreground += 1
        const cell = Math.min(digits.length - 1, Math.floor((u / winW) * digits.length))
        const isDecimal = cell >= digits.length - decimals
        const cellX = (u / winW) * digits.length - cell
        const lit = onSegment(digits[cell] ?? '0', cellX, v / winH)
        if (isDecimal) {
          r = lit ? 20 : 170
          g = lit ? 20 : 30
          b = lit ? 20 : 35
        } else {
          r = lit ? 235 : 22
          g = lit ? 235 : 22
          b = lit ? 230 : 26
        }
      }

      const n = (prng.next() - 0.5) * 2 * noise + lightAt(x, y)
      rgb[i * 3] = clamp(r * light + n)
      rgb[i * 3 + 1] = clamp(g * light + n)
      rgb[i * 3 + 2] = clamp(b * light + n)
    }
  }
  return { width, height, rgb, mask, foreground: foreground / (width * height) }
}
