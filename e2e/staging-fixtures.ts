import { copyFile, mkdir, truncate, writeFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { writeSyntheticDataset } from 'training-runner'

/**
 * A small generated drop for the accessibility and keyboard tests (issue 23), as loose `<stem>_image.*` /
 * `<stem>_mask.*` files plus one file whose name says neither:
 *   good-1, good-2   clean pairs
 *   lossy            JPEG mask: fixed on add (format only)
 *   located          photo with GPS EXIF: location stripped on add
 *   alpha            mask with an alpha channel: a warning a person fixes (not fixed on add)
 *   broken           truncated photo: an error, removed by hand
 *   stray.jpg        cannot be placed (no images/ folder, no _image suffix)
 */
export async function writeStagingDrop(dir: string): Promise<string[]> {
  const source = path.join(dir, 'source')
  const clean = await writeSyntheticDataset(source, { count: 4, seed: 31 })
  const [lossy] = await writeSyntheticDataset(path.join(source, 'lossy'), {
    count: 1,
    seed: 32,
    maskFormat: 'jpeg',
    startId: 80,
  })
  const [located] = await writeSyntheticDataset(path.join(source, 'gps'), {
    count: 1,
    seed: 33,
    gpsEvery: 1,
    startId: 81,
  })
  const [a, b, c, d] = clean
  if (a === undefined || b === undefined || c === undefined || d === undefined || !lossy || !located) {
    throw new Error('the generator wrote fewer pairs than asked')
  }
  const drop = path.join(dir, 'drop')
  await mkdir(drop, { recursive: true })
  const files: string[] = []
  const put = async (from: string, name: string): Promise<void> => {
    await copyFile(from, path.join(drop, name))
    files.push(path.join(drop, name))
  }
  await put(path.join(source, a.image), 'good-1_image.jpg')
  await put(path.join(source, a.mask), 'good-1_mask.png')
  await put(path.join(source, b.image), 'good-2_image.jpg')
  await put(path.join(source, b.mask), 'good-2_mask.png')
  await put(path.join(source, 'lossy', lossy.image), 'lossy_image.jpg')
  await put(path.join(source, 'lossy', lossy.mask), 'lossy_mask.jpg')
  await put(path.join(source, 'gps', located.image), 'located_image.jpg')
  await put(path.join(source, 'gps', located.mask), 'located_mask.png')
  await put(path.join(source, c.image), 'alpha_image.jpg')
  // The same mask with a transparent top row: "mask/alpha", which a person should look at.
  const grey = await sharp(path.join(source, c.mask)).greyscale().raw().toBuffer({ resolveWithObject: true })
  const { width, height } = grey.info
  const rgba = Buffer.alloc(width * height * 4)
  for (let index = 0; index < width * height; index += 1) {
    const value = grey.data[index] ?? 0
    rgba.set([value, value, value, index < width ? 0 : 255], index * 4)
  }
  const alphaMask = await sharp(rgba, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer()
  await writeFile(path.join(drop, 'alpha_mask.png'), alphaMask)
  files.push(path.join(drop, 'alpha_mask.png'))
  await put(path.join(source, d.image), 'broken_image.jpg')
  await truncate(path.join(drop, 'broken_image.jpg'), 600)
  await put(path.join(source, d.mask), 'broken_mask.png')
  await put(path.join(source, b.image), 'stray.jpg')
  return files
}
