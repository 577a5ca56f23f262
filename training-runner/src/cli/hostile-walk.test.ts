import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { forEachBounded } from '../adapters/storage/bounded-parallel.js'
import { runCliIn } from '../../test/helpers/cli-capture.js'
import { createDatasetRepo } from '../../test/helpers/dataset-repo.js'
import { writeSyntheticDataset } from '../demo/synthetic-dataset.js'
import { spawnCli } from '../../test/helpers/spawn-cli.js'
import { writeUntrainedModel } from '../../test/helpers/untrained-model.js'

/**
 * Every command under the three ordinary accidents: an output it cannot write, a reader that closes the pipe
 * (`| head`), and Ctrl-C. None of them is a bug: a clear message, the documented exit code, no stack trace.
 */

const STACK = /\n\s+at .+:\d+:\d+\)?\n/
const BUG = /This is a bug|Unexpected error|Unhandled|EPIPE/

interface Fixture {
  root: string
  blocker: string
}

let fixture: Fixture
let base = ''

/** Each command with arguments that make it do real work in the fixture workspace. */
function walk(root: string): string[][] {
  return [
    ['info'],
    ['qa', 'data/training', '--no-cache'],
    ['qa', 'index', 'data/training', '--out', 'index.json', '--no-cache'],
    ['data', 'status'],
    ['data', 'add'],
    ['data', 'push'],
    ['data', 'pull'],
    ['data', 'merge'],
    ['data', 'diff', 'origin/main', 'workdir'],
    ['train', '--data', 'data/training', '--config', 'train.json', '--out', 'trained', '--no-track'],
    ['evaluate', 'model', '--data', 'data/training'],
    ['predict', 'model', 'photo.jpg', '--out', 'predictions'],
    ['gate', '--run', 'no-such-run'],
    ['promote', '--run', 'no-such-run'],
    ['history'],
    ['rollback', '1'],
    ['demo', path.join(root, '..', `demo-${String(Math.random()).slice(2)}`), '--pairs', '2', '--incoming', '0'],
  ]
}

// One workspace for the three walks (created once: a dataset repository takes seconds).
beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'wms-walk-'))
  const repo = await createDatasetRepo(base, { pairs: 3 })
  expect((await runCliIn(repo.root, ['data', 'pull'])).code).toBe(0)
  await writeUntrainedModel(path.join(repo.root, 'model'))
  await sharp({ create: { width: 24, height: 16, channels: 3, background: '#444' } })
    .jpeg()
    .toFile(path.join(repo.root, 'photo.jpg'))
  await writeFile(path.join(repo.root, 'train.json'), JSON.stringify({ imageSize: 32, epochs: 1, batchSize: 2 }))
  // Pairs that pass QA (the dataset's small ones do not), so `qa --fix` gets as far as writing.
  await writeSyntheticDataset(path.join(repo.root, 'qa-data'), { count: 2, seed: 3 })
  const blocker = path.join(repo.root, 'blocker')
  await writeFile(blocker, 'a file where a folder is expected')
  await mkdir(path.join(repo.root, 'a-folder'))
  fixture = { root: repo.root, blocker }
}, 120_000)

afterAll(async () => {
  await rm(base, { recursive: true, force: true })
})

describe('every command under ordinary accidents', () => {
  it('an output it cannot write is a clear error with exit code 1, never a bug report', async () => {
    const { root } = fixture
    const cases = [
      ['demo', 'blocker/demo'],
      ['qa', 'qa-data', '--no-cache', '--report-json', 'blocker/report.json'],
      ['qa', 'qa-data', '--no-cache', '--markdown', 'blocker/report.md'],
      ['qa', 'qa-data', '--no-cache', '--fix', 'blocker/fixed'],
      ['qa', 'index', 'data/training', '--no-cache', '--out', 'blocker/index.json'],
      ['qa', 'index', 'data/training', '--no-cache', '--out', 'a-folder'],
      ['--json-out', 'blocker/info.json', 'info'],
      ['--json-out', 'a-folder', 'info'],
      ['train', '--data', 'data/training', '--config', 'train.json', '--out', 'blocker/model', '--no-track'],
      ['predict', 'model', 'photo.jpg', '--out', 'blocker/predictions'],
    ]
    for (const argv of cases) {
      const run = await runCliIn(root, argv)
      expect(run.code, argv.join(' ')).toBe(1)
      expect(run.err, argv.join(' ')).toMatch(/^error: .*(blocker|a-folder)/m)
      expect(run.err, argv.join(' ')).not.toMatch(BUG)
      expect(run.err, argv.join(' ')).not.toMatch(STACK)
    }
  }, 120_000)

  it('a closed output pipe ends every command quietly with its own exit code', async () => {
    const commands = walk(fixture.root).map((argv) => ['--json', ...argv])
    const run = spawnCli([JSON.stringify(commands)], {
      cwd: fixture.root,
      env: { WMS_TEST_RUN_ALL: '1' },
      closeStdout: true,
    })
    const { code, err } = await run.exited
    expect(err).not.toMatch(BUG)
    expect(err).not.toMatch(STACK)
    expect(code).toBe(0)
    const codes = JSON.parse(/codes:(\[.*\])/.exec(err)?.[1] ?? 'null') as number[]
    expect(codes).toHaveLength(commands.length)
    for (const [index, exit] of codes.entries()) expect([0, 1], commands[index]?.join(' ')).toContain(exit)
  }, 120_000)

  it('Ctrl-C stops every command with exit code 130 and leaves no half-made folder', async () => {
    const commands = walk(fixture.root)
    await forEachBounded(commands, 4, async (argv) => {
      const run = spawnCli(argv, { cwd: fixture.root })
      await run.ready
      run.child.kill('SIGINT')
      const { code, err } = await run.exited
      expect(code, argv.join(' ')).toBe(130)
      expect(err, argv.join(' ')).not.toMatch(BUG)
      expect(err, argv.join(' ')).not.toMatch(STACK)
    })
    const demo = commands.at(-1)?.[1] ?? ''
    expect(existsSync(demo)).toBe(false)
    expect((await readdir(path.dirname(demo))).filter((name) => name.includes('.partial-'))).toEqual([])
  }, 120_000)
})
