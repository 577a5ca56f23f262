import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { datasetVersionKey, readDatasetVersion, writeDirDvcFile } from './dvc-files.js'

const IMAGES = { md5: `${'a'.repeat(32)}.dir`, size: 10, nfiles: 2, path: 'images' }
const MASKS = { md5: `${'b'.repeat(32)}.dir`, size: 4, nfiles: 2, path: 'masks' }

describe('the dataset version key (one home for the QA worker and the existing-dataset index)', () => {
  const dirs: string[] = []
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
  })

  it('joins the images and masks directory hashes, `-` for a folder not tracked yet', () => {
    expect(datasetVersionKey([{ ...IMAGES, hash: 'md5' }, undefined])).toBe(`${IMAGES.md5}+-`)
    expect(datasetVersionKey([undefined, undefined])).toBe('-+-')
  })

  it('reads it from the .dvc files, an unreadable one counting as not tracked', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dataset-version-'))
    dirs.push(dir)
    expect(await readDatasetVersion(dir)).toBe('-+-')
    await writeDirDvcFile(path.join(dir, 'images.dvc'), IMAGES)
    await writeDirDvcFile(path.join(dir, 'masks.dvc'), MASKS)
    expect(await readDatasetVersion(dir)).toBe(`${IMAGES.md5}+${MASKS.md5}`)
    await writeFile(path.join(dir, 'masks.dvc'), 'not: [a dvc file')
    expect(await readDatasetVersion(dir)).toBe(`${IMAGES.md5}+-`)
  })
})
