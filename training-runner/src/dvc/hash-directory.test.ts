import { spawnSync } from 'node:child_process'
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

// DVC's algorithm (dvc-data Tree.as_bytes + md5) in CPython, to check generated trees independently of our code.
const PYTHON_DVC_HASH = `
import hashlib, json, os, sys
root = sys.argv[1]
entries = []
for folder, dirs, files in os.walk(root):
    dirs[:] = [d for d in dirs if d not in ('.git', '.hg', '.dvc')]
    for name in files:
        if name == '.git':
            continue
        full = os.path.join(folder, name)
        with open(full, 'rb') as f:
            entries.append({'md5': hashlib.md5(f.read()).hexdigest(), 'relpath': os.path.relpath(full, root).replace(os.sep, '/')})
text = json.dumps(sorted(entries, key=lambda e: e['relpath']), sort_keys=True)
print(hashlib.md5(text.encode('utf-8')).hexdigest() + '.dir')
`
const hasPython = spawnSync('python3', ['--version']).status === 0

describe.skipIf(!hasPython)('hashDirectory against DVC’s algorithm in CPython (generated trees)', () => {
  it('agrees on random unicode, nested and oddly named files', async () => {
    const alphabet = ['a', 'Z', '0', ' ', '-', '_', '.', 'é', 'ß', 'Ω', 'ж', '中', '😀', '\uffff', '~', '"', "'", '\\']
    let seed = 7
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % n
    }
    for (let round = 0; round < 5; round += 1) {
      const dir = await tempDir()
      for (let file = 0; file < 12; file += 1) {
        const depth = next(3)
        const parts = Array.from({ length: depth + 1 }, () =>
          Array.from({ length: 1 + next(6) }, () => alphabet[next(alphabet.length)]).join(''),
        ).map((part) => (part === '.' || part === '..' ? `${part}x` : part))
        const relpath = parts.join('/')
        await mkdir(path.dirname(path.join(dir, relpath)), { recursive: true }).catch(() => undefined)
        await writeFile(path.join(dir, relpath), `content ${String(file)} ${String(round)}`).catch(() => undefined)
      }
      const python = spawnSync('python3', ['-c', PYTHON_DVC_HASH, dir], { encoding: 'utf8' })
      expect(python.status, python.stderr).toBe(0)
      expect((await hashDirectory(dir)).hash).toBe(python.stdout.trim())
    }
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
