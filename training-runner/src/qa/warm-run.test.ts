import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { discoverPairs } from './discover-pairs.js'
import { writeFixturePair } from './fixtures/qa-fixtures.js'
import { runQa } from './run-qa.js'

/**
 * A warm `qa` run (every file unchanged since the last run) is mostly process start, so it must not load what it
 * does not use: no image stack (sharp/libvips), no git, S3 or YAML. Checked in a fresh Node process running the
 * CLI from source, by what its module caches hold afterwards.
 */

const temp = useTempDirs()
const repoRoot = path.resolve(import.meta.dirname, '../../..')

const CHILD = `
import { createRequire } from 'node:module'
import { runCli } from './training-runner/src/cli/main.ts'
const [dir, cache] = process.argv.slice(-2)
const { Writable } = await import('node:stream')
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() })
const code = await runCli(['qa', dir, '--cache-dir', cache, '--events', 'none'], { stdout: quiet, stderr: quiet, cwd: process.cwd(), env: process.env })
const loaded = Object.keys(createRequire(import.meta.url).cache)
const has = (name) => loaded.some((file) => file.includes(\`/node_modules/\${name}/\`))
process.stdout.write(JSON.stringify({ code, sharp: has('sharp') || has('@img'), s3: has('@aws-sdk'), git: has('simple-git'), yaml: has('yaml') }))
`

describe('warm QA run', () => {
  it('answers from the cache without loading the image stack, git, S3 or YAML', async () => {
    const dir = await temp('wms-qa-warm-')
    const cache = await temp('wms-qa-warm-cache-')
    await writeFixturePair(dir, 'a', { mask: { format: 'jpeg' } })
    await writeFixturePair(dir, 'b')
    const found = await discoverPairs([dir])
    await runQa({ pairs: found.pairs, cacheDir: cache })

    const run = spawnSync(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', CHILD, dir, cache],
      { cwd: repoRoot, encoding: 'utf8' },
    )
    expect(run.stderr).toBe('')
    expect(JSON.parse(run.stdout)).toEqual({ code: 0, sharp: false, s3: false, git: false, yaml: false })
  }, 60_000)
})
