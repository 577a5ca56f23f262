import { readFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { listDatasetPairs } from 'training-runner/dataset/list-dataset'

/**
 * The decode floor: only the decoding the QA engine cannot skip (each photo at reduced size for its perceptual
 * hash, each mask in full), with the engine's parallelism, and nothing else — no hashing, no statistics, no
 * cache. How close the engine's cold run comes to this shows what its own work costs.
 */
export async function decodeFloor(dir: string, inFlight: number): Promise<number> {
  const { pairs } = await listDatasetPairs(dir)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < pairs.length) {
      const pair = pairs[next]
      next += 1
      if (pair === undefined) return
      const [image, mask] = await Promise.all([
        readFile(path.join(dir, pair.image)),
        readFile(path.join(dir, pair.mask)),
      ])
      await Promise.all([
        sharp(image).rotate().resize(32, 32, { fit: 'fill' }).greyscale().raw().toBuffer(),
        sharp(mask).toColourspace('b-w').raw().toBuffer(),
      ])
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  return pairs.length
}
