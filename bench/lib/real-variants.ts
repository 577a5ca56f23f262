import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import sharp, { type Sharp } from 'sharp'

/**
 * A set of real-sized pairs made from the real sample: pair i is sample pair (i mod n) under variant ⌊i / n⌋ —
 * the original bytes, then mirrored, flipped, turned 180° and a mirrored 5 % centre crop. The photos keep their
 * JPEG size class (re-encoded at quality 92, ~250 KB like the originals), their EXIF (GPS, orientation: the
 * transforms act on the stored pixels, so the EXIF orientation still applies) and their 4:2:0 chroma; each mask
 * gets the same transform as it appears on screen, so every pair still matches. Decoding such a set costs what
 * decoding real phone photos costs, which generated pictures do not (they compress far better).
 */

type Transform = 'none' | 'flop' | 'flip' | 'rotate180' | 'flop-crop'

const VARIANTS: readonly Transform[] = ['none', 'flop', 'flip', 'rotate180', 'flop-crop']
const PHOTO_QUALITY = 92
const MASK_QUALITY = 95
const CROP_SHARE = 0.05

/** A 90° EXIF orientation swaps what "mirror" and "flip" mean between the stored pixels and the screen. */
function onScreen(transform: Transform, orientation: number): Transform {
  const quarterTurn = orientation >= 5 && orientation <= 8
  if (!quarterTurn) return transform
  if (transform === 'flop') return 'flip'
  if (transform === 'flip') return 'flop'
  return transform
}

function apply(pipeline: Sharp, transform: Transform, width: number, height: number): Sharp {
  if (transform === 'flop') return pipeline.flop()
  if (transform === 'flip') return pipeline.flip()
  if (transform === 'rotate180') return pipeline.rotate(180)
  if (transform === 'flop-crop') {
    const left = Math.round(width * CROP_SHARE)
    const top = Math.round(height * CROP_SHARE)
    return pipeline.extract({ left, top, width: width - 2 * left, height: height - 2 * top }).flop()
  }
  return pipeline
}

async function writeVariant(source: string, target: string, stem: string, name: string, transform: Transform) {
  const imageIn = path.join(source, 'images', name)
  const maskIn = path.join(source, 'masks', name)
  const imageOut = path.join(target, 'images', `${stem}.jpg`)
  const maskOut = path.join(target, 'masks', `${stem}.jpg`)
  if (transform === 'none') {
    await copyFile(imageIn, imageOut)
    await copyFile(maskIn, maskOut)
    return
  }
  const photo = await readFile(imageIn)
  const meta = await sharp(photo).metadata()
  const mask = await readFile(maskIn)
  const maskMeta = await sharp(mask).metadata()
  const photoOut = await apply(sharp(photo), transform, meta.width, meta.height)
    .keepExif()
    .jpeg({ quality: PHOTO_QUALITY, chromaSubsampling: '4:2:0' })
    .toBuffer()
  const maskBytes = await apply(
    sharp(mask).toColourspace('b-w'),
    onScreen(transform, meta.orientation ?? 1),
    maskMeta.width,
    maskMeta.height,
  )
    .jpeg({ quality: MASK_QUALITY })
    .toBuffer()
  await writeFile(imageOut, photoOut)
  await writeFile(maskOut, maskBytes)
}

/**
 * Writes `count` pairs made from `sample` into `target` (once: a `.complete` marker makes later calls return at
 * once). Returns the folder.
 */
export async function writeRealVariants(sample: string, target: string, count: number): Promise<string> {
  const marker = path.join(target, '.complete')
  if (
    await stat(marker).then(
      () => true,
      () => false,
    )
  )
    return target
  await rm(target, { recursive: true, force: true })
  await mkdir(path.join(target, 'images'), { recursive: true })
  await mkdir(path.join(target, 'masks'), { recursive: true })
  const images = new Set(await readdir(path.join(sample, 'images')))
  const names = (await readdir(path.join(sample, 'masks'))).filter((name) => images.has(name)).sort()
  if (names.length === 0) throw new Error(`no pairs in ${sample}`)
  if (count > names.length * VARIANTS.length) {
    throw new Error(`at most ${String(names.length * VARIANTS.length)} variants of ${sample}`)
  }
  for (let index = 0; index < count; index += 1) {
    const name = names[index % names.length] ?? ''
    const variant = Math.floor(index / names.length)
    const transform = VARIANTS[variant] ?? 'none'
    const stem = `${path.parse(name).name}__v${String(variant)}`
    await writeVariant(sample, target, stem, name, transform)
    if ((index + 1) % 100 === 0) process.stdout.write(`  ${String(index + 1)}/${String(count)} pairs written\n`)
  }
  await writeFile(marker, '')
  return target
}
