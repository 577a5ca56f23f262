import { mkdir, readdir } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { writeUntrainedModel } from '../../test/helpers/untrained-model.js'
import { predictImages } from './predict.js'
import { uniqueStems } from './predict-output.js'

async function photo(file: string, shade: number): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true })
  await sharp({ create: { width: 20, height: 12, channels: 3, background: { r: shade, g: shade, b: shade } } })
    .jpeg()
    .toFile(file)
  return file
}

describe('predict output', () => {
  const tempDir = useTempDirs()

  it('gives photos that share a base name their own outputs', async () => {
    expect(uniqueStems(['a/x.jpg', 'b/x.png', 'c/X.jpg', 'd/x-2.jpg', 'e/y.jpg'])).toEqual([
      'x',
      'x-2',
      'X-3',
      'x-2-2',
      'y',
    ])
    const base = await tempDir()
    const model = await writeUntrainedModel(path.join(base, 'model'))
    const images = [await photo(path.join(base, 'a/x.jpg'), 40), await photo(path.join(base, 'b/x.jpg'), 200)]
    const out = path.join(base, 'out')
    const written = await predictImages(model, images, out, { backend: 'cpu' })
    expect(new Set(written.map((file) => file.mask)).size).toBe(2)
    expect((await readdir(out)).sort()).toEqual(['x-2.mask.png', 'x-2.overlay.jpg', 'x.mask.png', 'x.overlay.jpg'])
  })

  it('refuses to write into a dataset folder, and writes nothing there', async () => {
    const base = await tempDir()
    const model = await writeUntrainedModel(path.join(base, 'model'))
    const image = await photo(path.join(base, 'p.jpg'), 90)
    const dataset = path.join(base, 'data')
    await mkdir(path.join(dataset, 'images'), { recursive: true })
    await mkdir(path.join(dataset, 'masks'))
    for (const out of [path.join(dataset, 'images'), path.join(dataset, 'masks/new'), dataset]) {
      await expect(predictImages(model, [image], out, { backend: 'cpu' })).rejects.toMatchObject({
        code: 'usage/invalid-arguments',
        message: expect.stringContaining('is inside the dataset') as unknown,
      })
    }
    expect(await readdir(path.join(dataset, 'images'))).toEqual([])
    expect(await readdir(path.join(dataset, 'masks'))).toEqual([])
  })
})
