import { createServer } from 'node:net'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { runCliIn } from '../../../test/helpers/cli-capture.js'
import { createDataBranch, createDatasetRepo } from '../../../test/helpers/dataset-repo.js'
import { useTempDirs } from '../../../test/helpers/temp-dir.js'
import { writeSyntheticDataset } from '../../demo/synthetic-dataset.js'
import { ttySink } from '../../events/tty-sink.js'
import { writeWorkspaceConfig } from '../../workspace/workspace-config-file.js'
import { workspaceLockFile } from '../../workspace/workspace-lock.js'

const cli = (cwd: string, ...argv: string[]) => runCliIn(cwd, argv)

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  return typeof address === 'object' && address !== null ? address.port : 0
}

describe('small honesty fixes (issue 22, point 13)', () => {
  const tempDir = useTempDirs()

  it('data merge: quoted fetch hint, no "✔ merge ok" for an empty branch, names shown not sent, one merge at a time', async () => {
    const repo = await createDatasetRepo(await tempDir(), { pairs: 1 })
    await createDataBranch(repo.root, {
      pairs: 0,
      startId: 9,
      extraFiles: { 'images/READ\u001b]0;x\u0007ME.txt': 'x' },
    })

    const injected = await cli(repo.root, 'data', 'merge', '--base', 'origin/x;touch INJ')
    expect(injected.code).toBe(1)
    expect(injected.err).toContain("git fetch origin 'x;touch INJ'")

    const empty = await cli(repo.root, 'data', 'merge')
    expect(empty.code).toBe(1)
    expect(empty.err).not.toContain('✔ merge ok')
    expect(empty.err).toContain('merge skipped')
    expect(empty.out).toContain('READ\\x1b]0;x\\x07ME.txt')
    expect(empty.out).not.toContain('\u001b')

    // A merge in progress (this process, alive) holds the workspace lock: the second says so and changes nothing.
    const lock = workspaceLockFile(repo.root, 'data-merge')
    await mkdir(path.dirname(lock), { recursive: true })
    const holder = { host: (await import('node:os')).hostname(), pid: process.pid, purpose: 'data merge', since: 1 }
    await writeFile(lock, JSON.stringify(holder))
    const second = await cli(repo.root, 'data', 'merge')
    expect(second.code).toBe(1)
    expect(second.err).toContain(`Another data merge is running in this workspace (process ${String(process.pid)}`)
    expect(await readFile(lock, 'utf8')).toBe(JSON.stringify(holder))
    // A lock left by a process that is gone is taken over.
    await writeFile(lock, JSON.stringify({ ...holder, pid: 2 ** 22 + 7 }))
    expect((await cli(repo.root, 'data', 'merge', '--allow-empty')).code).toBe(0)
  }, 60_000)

  it('progress never claims a total of 0 B', () => {
    const stream = Object.assign(new PassThrough(), { isTTY: false, columns: 100 })
    const chunks: string[] = []
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')))
    const sink = ttySink(stream)
    sink.emit({ type: 'progress', step: 'push', done: 28_000, total: 0, unit: 'bytes' })
    expect(chunks.join('')).toContain('27 KB')
    expect(chunks.join('')).not.toContain('/ 0 B')
  })

  it('qa --against does not print a verdict for the reference dataset', async () => {
    const dir = await tempDir()
    await writeSyntheticDataset(path.join(dir, 'new'), { count: 2, seed: 1 })
    // The workspace's pairs are too small for QA on their own: that is not this run's verdict.
    const repo = await createDatasetRepo(await tempDir(), { pairs: 2 })
    expect((await cli(repo.root, 'data', 'pull')).code).toBe(0)
    const run = await cli(dir, 'qa', 'new', '--against', repo.root, '--no-cache')
    expect(run.err).not.toContain('✖ qa failed')
    expect(run.err).toContain('✔ qa ok')
  }, 60_000)

  it('info on a folder that is not a git repository says so', async () => {
    const dir = await tempDir()
    await writeWorkspaceConfig(dir, {
      version: 1,
      name: 'No git',
      dataset: { remote: { type: 'local', path: '../remote' } },
      tracking: { uri: 'file:../mlruns' },
    })
    const info = await cli(dir, 'info')
    expect(info.code).toBe(0)
    expect(info.out).toContain('not a git repository')
    expect(info.out).not.toContain('(detached)')
  })

  it('train with MLflow unreachable suggests --no-track', async () => {
    const dir = await tempDir()
    await writeSyntheticDataset(path.join(dir, 'data/training'), { count: 30, seed: 4 })
    await writeWorkspaceConfig(dir, {
      version: 1,
      name: 'Server down',
      dataset: { remote: { type: 'local', path: '../remote' } },
      tracking: { uri: `http://127.0.0.1:${String(await closedPort())}` },
      training: { imageSize: 32, epochs: 1, backend: 'wasm' },
    })
    const run = await runCliIn(dir, ['train'], { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' })
    expect(run.code).toBe(1)
    expect(run.err).toContain('--no-track')
  }, 60_000)

  it('--json <file>.txt writes the result there instead of taking it as an input', async () => {
    const dir = await tempDir()
    await writeWorkspaceConfig(dir, {
      version: 1,
      name: 'Json out',
      dataset: { remote: { type: 'local', path: '../remote' } },
      tracking: { uri: 'file:../mlruns' },
    })
    const run = await cli(dir, '--json', 'result.txt', 'info')
    expect(run.code).toBe(0)
    expect(JSON.parse(await readFile(path.join(dir, 'result.txt'), 'utf8'))).toMatchObject({ name: 'Json out' })
  })
})
