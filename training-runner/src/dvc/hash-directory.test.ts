import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parseDvcFile, singleOut } from '@wms/shared/dvc/dvc-file'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { dirObjectOf, hashDirectory } from './hash-directory.js'

const tempDir = useTempDirs()

// ../shared next to the repository root holds a real DVC fixture (9 pairs + the .dvc files DVC 3 wrote).
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const fixture = path.resolve(repoRoot, '../shared/fixtures/dvc-example')
const hasFixture = existsSync(path.join(fixture, 'images.dvc'))
if (!hasFixture)
  console.warn(`Skipping the real DVC fixture checks: ${fixture} is absent (../shared is not checked out).`)

describe.skipIf(!hasFixture)('hashDirectory on the real DVC fixture (../shared/fixtures/dvc-example)', () => {
  it.each(['images', 'masks'])('recomputes %s.dvc exactly: md5, size and nfiles', async (folder) => {
    const written = singleOut(parseDvcFile(await readFile(path.join(fixture, `${folder}.dvc`), 'utf8'), folder), folder)
    const hashed = await hashDirectory(path.join(fixture, folder))
    expect({ md5: hashed.hash, size: hashed.size, nfiles: hashed.nfiles }).toEqual({
      md5: written.md5,
      size: written.size,
      nfiles: written.nfiles,
    })
  })
})

describe('hashDirectory', () => {
  it('hashes unicode names and nested folders like DVC (expected values from CPython json.dumps)', async () => {
    const dir = await tempDir()
    const files: Record<string, string> = {
      'b.jpg': 'b',
      'sub/deeper/ä ö.png': 'x',
      '😀/smile.jpg': 's',
      'Z.JPG': 'z',
      '\uffff.png': 'f',
      'é/e.png': 'e',
      '.git/config': 'ignored like DVC does',
    }
    for (const [relpath, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, relpath)), { recursive: true })
      await writeFile(path.join(dir, relpath), content)
    }
    await mkdir(path.join(dir, 'empty/folder'), { recursive: true })
    const hashed = await hashDirectory(dir)
    expect(hashed.hash).toBe('4c019ccbd1508a210e023d2469423d0c.dir')
    expect(hashed.nfiles).toBe(6)
    expect(hashed.size).toBe(6)
    expect(hashed.entries.map((entry) => entry.relpath)).toEqual([
      'Z.JPG',
      'b.jpg',
      'sub/deeper/ä ö.png',
      'é/e.png',
      '\uffff.png',
      '😀/smile.jpg',
    ])
    expect(hashed.sizes.get('b.jpg')).toBe(1)
  })

  it('hashes an empty directory as DVC does (md5 of "[]")', async () => {
    const hashed = await hashDirectory(await tempDir())
    expect(hashed).toMatchObject({ hash: 'd751713988987e9331980363e24189ce.dir', nfiles: 0, size: 0, entries: [] })
    expect(dirObjectOf([]).text).toBe('[]')
  })

  it('can leave files out', async () => {
    const dir = await tempDir()
    await writeFile(path.join(dir, 'a.jpg'), 'a')
    await writeFile(path.join(dir, '.gitkeep'), '')
    const hashed = await hashDirectory(dir, { exclude: (relpath) => relpath.startsWith('.') })
    expect(hashed.entries.map((entry) => entry.relpath)).toEqual(['a.jpg'])
  })

  it('says when the directory is missing', async () => {
    await expect(hashDirectory(path.join(await tempDir(), 'nope'))).rejects.toMatchObject({ code: 'fs/not-found' })
  })
})
