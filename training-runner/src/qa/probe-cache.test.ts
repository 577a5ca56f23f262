import { copyFile, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { discoverPairs } from './discover-pairs.js'
import { writeFixturePair } from './fixtures/qa-fixtures.js'
import { PROBE_VERSION } from './probe-cache.js'
import { runQa } from './run-qa.js'

const CACHE_FILE = `qa-probes-v${String(PROBE_VERSION)}.json`

describe('probe cache', () => {
  const tempDir = useTempDirs()

  it('never probes an unchanged file twice, and re-probes changed content', async () => {
    const dir = await tempDir()
    const cacheDir = await tempDir()
    await writeFixturePair(dir, 'a')
    await writeFixturePair(dir, 'b')
    const run = async () => {
      const found = await discoverPairs([dir])
      return runQa({ pairs: found.pairs, cacheDir })
    }
    const first = await run()
    const phashOfA = first.samples.find((s) => s.sampleId === 'a')?.image.phash

    // Tamper with the cached probe: if the next run shows the tampered value, it did not decode again.
    const cacheFile = path.join(cacheDir, CACHE_FILE)
    const text = await readFile(cacheFile, 'utf8')
    expect(phashOfA).toBeDefined()
    await writeFile(cacheFile, text.replaceAll(phashOfA ?? '', 'feedfacefeedface'))
    const second = await run()
    expect(second.samples.find((s) => s.sampleId === 'a')?.image.phash).toBe('feedfacefeedface')

    // Same content, new modification time: hashed again, but the probe is found by content hash.
    const image = path.join(dir, 'images/a.jpg')
    await utimes(image, new Date(), new Date(Date.now() + 5000))
    const third = await run()
    expect(third.samples.find((s) => s.sampleId === 'a')?.image.phash).toBe('feedfacefeedface')

    // New content: probed again.
    await writeFixturePair(dir, 'a', { seed: 1234 })
    const fourth = await run()
    const fresh = fourth.samples.find((s) => s.sampleId === 'a')?.image.phash
    expect(fresh).not.toBe('feedfacefeedface')
    expect(fresh).toMatch(/^[0-9a-f]{16}$/)
  })

  it('ignores a corrupt cache file and replaces it', async () => {
    const dir = await tempDir()
    const cacheDir = await tempDir()
    await writeFixturePair(dir, 'a')
    await writeFile(path.join(cacheDir, CACHE_FILE), '{ not json')
    const found = await discoverPairs([dir])
    const report = await runQa({ pairs: found.pairs, cacheDir })
    expect(report.passed).toBe(true)
    expect(JSON.parse(await readFile(path.join(cacheDir, CACHE_FILE), 'utf8'))).toMatchObject({
      version: PROBE_VERSION,
    })
  })

  it('reuses a probe for the same content under another name, judging the new name', async () => {
    const first = await tempDir()
    const second = await tempDir()
    const cacheDir = await tempDir()
    await writeFixturePair(first, 'a')
    await writeFixturePair(second, 'b')
    await copyFile(path.join(first, 'images/a.jpg'), path.join(second, 'images/b.png'))
    await rm(path.join(second, 'images/b.jpg'))
    const run = async (dir: string) => {
      const found = await discoverPairs([dir])
      return runQa({ pairs: found.pairs, cacheDir })
    }
    expect((await run(first)).issues).toEqual([])
    const report = await run(second)
    expect(report.issues.map((issue) => [issue.sampleId, issue.ruleId])).toEqual([['b', 'file/extension-mismatch']])
    expect(report.issues[0]?.message).toContain('images/b.png')
  })
})
