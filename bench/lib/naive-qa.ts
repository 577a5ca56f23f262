import { readFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { computeMaskPixelStats } from '@wms/shared/qa/mask-pixel-stats'
import { perceptualHash, PHASH_SIZE } from '@wms/shared/qa/perceptual-hash'
import { foregroundPixels } from '@wms/shared/qa/probe'
import { md5Bytes } from 'training-runner/fs/hash-file'
import { listDatasetPairs } from 'training-runner/dataset/list-dataset'

/**
 * The baseline the QA engine is measured against: what a straightforward implementation does — one pair after
 * the other, every photo and mask fully decoded (photo EXIF-rotated, mask as RGB), the same measurements taken
 * from the full pixels, no cache. It finds the same facts; it is only slower.
 */
export async function naiveQa(dir: string): Promise<{ pairs: number; lossyMasks: number; rotated: number }> {
  const { pairs } = await listDatasetPairs(dir)
  let lossyMasks = 0
  let rotated = 0
  for (const pair of pairs) {
    const imageBytes = await readFile(path.join(dir, pair.image))
    md5Bytes(imageBytes)
    const meta = await sharp(imageBytes).metadata()
    if ((meta.orientation ?? 1) !== 1) rotated += 1
    const image = await sharp(imageBytes).rotate().raw().toBuffer({ resolveWithObject: true })
    const small = await sharp(image.data, {
      raw: { width: image.info.width, height: image.info.height, channels: image.info.channels },
    })
      .resize(PHASH_SIZE, PHASH_SIZE, { fit: 'fill' })
      .greyscale()
      .raw()
      .toBuffer()
    perceptualHash(small)

    const maskBytes = await readFile(path.join(dir, pair.mask))
    md5Bytes(maskBytes)
    await sharp(maskBytes).metadata()
    const mask = await sharp(maskBytes).raw().toBuffer({ resolveWithObject: true })
    const stats = computeMaskPixelStats({
      data: new Uint8Array(mask.data.buffer, mask.data.byteOffset, mask.data.length),
      width: mask.info.width,
      height: mask.info.height,
      channels: mask.info.channels,
    })
    if (stats.pixels - (stats.histogram[0] ?? 0) - (stats.histogram[255] ?? 0) > 0) lossyMasks += 1
    foregroundPixels(stats)
  }
  return { pairs: pairs.length, lossyMasks, rotated }
}
