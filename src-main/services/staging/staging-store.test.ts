import { chmod, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test-support/temp-dirs.js'
import { StagingStore } from './staging-store.js'

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

describe('StagingStore', () => {
  const tempDir = useTempDirs()

  it('places dropped files in the dataset layout and pairs them', async () => {
    const store = await StagingStore.open(await tempDir())
    expect(await store.addFile('incoming/images/a.jpg', bytes('A'))).toMatchObject({
      ok: true,
      relpath: 'images/a.jpg',
      stem: 'a',
    })
    await store.addFile('incoming/masks/a.png', bytes('a-mask'))
    await store.addFile('b_image.jpg', bytes('B'))
    const rejected = await store.addFile('unknown.jpg', bytes('?'))
    expect(rejected).toMatchObject({ ok: false, name: 'unknown.jpg' })
    const pairing = store.pairing()
    expect(pairing.pairs).toEqual([{ stem: 'a', image: 'images/a.jpg', mask: 'masks/a.png' }])
    expect(pairing.problems.map((problem) => [problem.kind, problem.stem])).toEqual([['orphan-image', 'b']])
  })

  it('survives a restart with everything it had, and sweeps what a crash left behind', async () => {
    const dir = await tempDir()
    const store = await StagingStore.open(dir)
    await store.addFile('images/a.jpg', bytes('A'))
    await store.addFile('masks/a.png', bytes('M'))
    await store.setReplacement('a', true)
    // A crash mid-write leaves a temp file and an unreferenced blob.
    await writeFile(path.join(dir, 'staging.json.999.tmp'), '{')
    await writeFile(path.join(dir, 'blobs', 'deadbeef.jpg'), 'orphan')

    const reopened = await StagingStore.open(dir)
    expect(Object.keys(reopened.files).sort()).toEqual(['images/a.jpg', 'masks/a.png'])
    expect(reopened.meta('a').replacement).toBe(true)
    expect(await readFile(reopened.blobPath('images/a.jpg'), 'utf8')).toBe('A')
    expect((await readdir(path.join(dir, 'blobs'))).sort()).toHaveLength(2)
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([])
  })

  it('keeps the original bytes when a fix writes a normalised copy, and records the fixes', async () => {
    const dir = await tempDir()
    const store = await StagingStore.open(dir)
    await store.addFile('masks/a.jpg', bytes('lossy'))
    const before = store.meta('a').revision
    await store.recordFix('masks/a.jpg', bytes('binary png'), ['binarise-mask'], 'masks/a.png')
    expect(Object.keys(store.files)).toEqual(['masks/a.png'])
    const fixed = store.files['masks/a.png']
    expect(fixed).toMatchObject({ fixed: true, originalName: 'a.jpg', original: { bytes: 5 } })
    expect(store.meta('a')).toMatchObject({ fixes: ['binarise-mask'] })
    expect(store.meta('a').revision).toBeGreaterThan(before)
    expect(await readFile(store.blobPath('masks/a.png'), 'utf8')).toBe('binary png')
    // Original blob kept for undo/audit.
    expect(await readdir(path.join(dir, 'blobs'))).toHaveLength(2)
  })

  it('removes pairs with both their files, and deduplicates identical bytes', async () => {
    const dir = await tempDir()
    const store = await StagingStore.open(dir)
    await store.addFile('images/a.jpg', bytes('same'))
    await store.addFile('images/b.jpg', bytes('same'))
    await store.addFile('masks/a.png', bytes('M'))
    expect(await readdir(path.join(dir, 'blobs'))).toHaveLength(2)
    await store.removePairs(['a'])
    expect(Object.keys(store.files)).toEqual(['images/b.jpg'])
    expect(await readdir(path.join(dir, 'blobs'))).toHaveLength(1)
  })

  it('serialises concurrent additions without losing any', async () => {
    const store = await StagingStore.open(await tempDir())
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.addFile(`images/p${String(i)}.jpg`, bytes(String(i)))))
    expect(Object.keys(store.files)).toHaveLength(40)
    const reopened = await StagingStore.open(store.dir)
    expect(Object.keys(reopened.files)).toHaveLength(40)
  })

  it('keeps the staging area to the user alone (0700 folders, 0600 files) whatever the umask', async () => {
    const dir = path.join(await tempDir(), 'staging')
    // A store an older version made under umask 022, and a umask that opens everything.
    await mkdir(path.join(dir, 'blobs'), { recursive: true, mode: 0o755 })
    await writeFile(path.join(dir, 'blobs', 'x.jpg'), 'old', { mode: 0o644 })
    await writeFile(
      path.join(dir, 'staging.json'),
      JSON.stringify({
        version: 1,
        files: { 'images/x.jpg': { originalName: 'x.jpg', md5: 'm', bytes: 3, blob: 'x.jpg' } },
      }),
    )
    await chmod(path.join(dir, 'staging.json'), 0o644)
    const previous = process.umask(0)
    try {
      const store = await StagingStore.open(dir)
      await store.addFile('images/gps.jpg', bytes('photo with GPS'))
      const modes = async (...parts: string[]) => ((await stat(path.join(dir, ...parts))).mode & 0o777).toString(8)
      expect(await modes()).toBe('700')
      expect(await modes('blobs')).toBe('700')
      expect(await modes('staging.json')).toBe('600')
      expect(await modes('blobs', 'x.jpg')).toBe('600')
      for (const name of await readdir(path.join(dir, 'blobs'))) expect(await modes('blobs', name)).toBe('600')
    } finally {
      process.umask(previous)
    }
  })

  it('refuses files git could not hold at the door', async () => {
    const store = await StagingStore.open(await tempDir())
    const result = await store.addFile('set/images/.git/x.jpg', bytes('x'))
    expect(result).toMatchObject({ ok: false, reason: /git's own folder name/ })
    expect(store.files).toEqual({})
  })

  it('removes every kind of staged file by its id: orphans, duplicate names, unsupported files, pairs', async () => {
    const dir = await tempDir()
    const store = await StagingStore.open(dir)
    await store.addFiles([
      { path: 'lonely_image.jpg', bytes: bytes('orphan') },
      { path: 'images/dup.jpg', bytes: bytes('dup jpg') },
      { path: 'images/dup.png', bytes: bytes('dup png') },
      { path: 'masks/dup.png', bytes: bytes('dup mask') },
      { path: 'images/anim.gif', bytes: bytes('gif') },
      { path: 'images/ok.jpg', bytes: bytes('ok') },
      { path: 'masks/ok.png', bytes: bytes('ok mask') },
    ])
    const problems = store.pairing().problems.map((problem) => problem.stem)
    expect(problems.sort()).toEqual(['anim', 'dup', 'lonely'])
    expect((await store.removePairs(problems)).sort()).toEqual(['anim', 'dup', 'lonely'])
    expect(Object.keys(store.files).sort()).toEqual(['images/ok.jpg', 'masks/ok.png'])
    expect(store.pairing().problems).toEqual([])
    await store.addFile('masks/orphan-mask.png', bytes('o'))
    expect((await store.clearFiles()).sort()).toEqual(['ok', 'orphan-mask'])
    expect(store.files).toEqual({})
    expect(await readdir(path.join(dir, 'blobs'))).toEqual([])
  })

  it('never hands out a blob that became a link (to a private file outside the store)', async () => {
    const base = await tempDir()
    const store = await StagingStore.open(path.join(base, 'staging'))
    await store.addFile('images/a.jpg', bytes('photo'))
    expect(await store.regularBlobPath('images/a.jpg')).toBe(store.blobPath('images/a.jpg'))
    await writeFile(path.join(base, 'secret'), 'private')
    await rm(store.blobPath('images/a.jpg'))
    await symlink(path.join(base, 'secret'), store.blobPath('images/a.jpg'))
    await expect(store.regularBlobPath('images/a.jpg')).rejects.toMatchObject({ code: 'storage/integrity' })
  })
})
