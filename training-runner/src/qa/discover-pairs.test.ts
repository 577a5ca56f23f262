import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { discoverPairs } from './discover-pairs.js'

async function touch(file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, 'x')
}

describe('discoverPairs', () => {
  const tempDir = useTempDirs()

  it('reads a dataset folder (any case of images/masks) with display paths relative to it', async () => {
    const dir = await tempDir()
    await touch(path.join(dir, 'Images/a.JPG'))
    await touch(path.join(dir, 'Masks/a.png'))
    await touch(path.join(dir, 'Masks/lonely.png'))
    const found = await discoverPairs([dir])
    expect(found.datasetRoot).toBe(dir)
    expect(found.pairs.map((pair) => [pair.sampleId, pair.image.relpath, pair.mask.relpath])).toEqual([
      ['a', 'Images/a.JPG', 'Masks/a.png'],
    ])
    expect(found.problems).toEqual([
      { kind: 'orphan-mask', files: ['Masks/lonely.png'], paths: [path.join(dir, 'Masks/lonely.png')], stem: 'lonely' },
    ])
    expect(found.unpairedFiles).toBe(1)
  })

  it('pairs dropped files by the _image/_mask convention or by their images/masks folders', async () => {
    const dir = await tempDir()
    await touch(path.join(dir, 'drop/m1_image.jpg'))
    await touch(path.join(dir, 'other/m1_mask.png'))
    await touch(path.join(dir, 'images/m2.jpg'))
    await touch(path.join(dir, 'masks/m2.png'))
    await touch(path.join(dir, 'drop/what.jpg'))
    const found = await discoverPairs(
      ['drop/m1_image.jpg', 'other/m1_mask.png', 'images/m2.jpg', 'masks/m2.png', 'drop/what.jpg'],
      dir,
    )
    expect(found.pairs.map((pair) => [pair.sampleId, pair.image.relpath, pair.mask.relpath])).toEqual([
      ['m1', 'drop/m1_image.jpg', 'other/m1_mask.png'],
      ['m2', 'images/m2.jpg', 'masks/m2.png'],
    ])
    expect(found.problems.map((problem) => problem.kind)).toEqual(['unknown-role'])
    expect(found.pairs[0]?.image.path).toBe(path.join(dir, 'drop/m1_image.jpg'))
  })

  it('takes a lone images/ and masks/ folder, and a folder of loose files', async () => {
    const dir = await tempDir()
    await touch(path.join(dir, 'set/images/a.jpg'))
    await touch(path.join(dir, 'set/masks/a.png'))
    await touch(path.join(dir, 'loose/b_image.jpg'))
    await touch(path.join(dir, 'loose/b_mask.jpg'))
    const found = await discoverPairs(['set/images', 'set/masks', 'loose'], dir)
    expect(found.pairs.map((pair) => pair.sampleId)).toEqual(['a', 'b'])
    expect(found.problems).toEqual([])
  })

  it('says which input does not exist', async () => {
    const dir = await tempDir()
    await expect(discoverPairs(['missing'], dir)).rejects.toMatchObject({ code: 'fs/not-found' })
    await expect(discoverPairs([], dir)).rejects.toMatchObject({ code: 'usage/invalid-arguments' })
  })
})

describe('isInside', () => {
  it('is a path-segment prefix test', async () => {
    const { isInside } = await import('./dataset-files.js')
    expect(isInside('/data/set', '/data/set/images/a.jpg')).toBe(true)
    expect(isInside('/data/set', '/data/set')).toBe(true)
    expect(isInside('/data/set', '/data/settings/a.jpg')).toBe(false)
    expect(isInside('/data/set', '/data/set/../other/a.jpg')).toBe(false)
    expect(isInside('/', '/anything')).toBe(true)
  })
})
