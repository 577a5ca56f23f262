import { spawn } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeSyntheticDataset } from '../../demo/synthetic-dataset.js'
import { addDataset, pullDataset } from '../../dvc/sync.js'
import { runCliIn } from '../../../test/helpers/cli-capture.js'
import { startFaultProxy, type FaultProxy } from '../../../test/helpers/fault-proxy.js'
import { startS3Server, TEST_CREDENTIALS, type TestS3Server } from '../../../test/helpers/s3-server.js'
import { createDatasetRepo, SMALL_SIZES } from '../../../test/helpers/dataset-repo.js'
import { useTempDirs } from '../../../test/helpers/temp-dir.js'

/**
 * `data push` / `data pull` as a user runs them — a real process, real signals (Ctrl-C, kill -9) — against the S3
 * test server behind the fault proxy, with the environment a user has (no switch that hides the AWS SDK's
 * Node-version warning).
 */
const tempDir = useTempDirs()
const repoRoot = path.resolve(import.meta.dirname, '../../../..')
let s3: TestS3Server
let proxy: FaultProxy
beforeAll(async () => {
  // The in-process runs find the test credentials where the SDK's standard chain looks.
  process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId
  process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey
  s3 = await startS3Server()
  proxy = await startFaultProxy(s3.endpoint)
})
afterAll(async () => {
  await proxy.close()
  await s3.close()
})

const CHILD = `
import { runCli } from './training-runner/src/cli/main.ts'
process.exitCode = await runCli(JSON.parse(process.env.WMS_TEST_ARGV))
`

/** Starts `training-runner <argv>` in `cwd` as its own process. */
function startCli(cwd: string, argv: string[]) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WMS_TEST_ARGV: JSON.stringify(['--events', 'none', ...argv, '-w', cwd]),
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    WMS_S3_TIMEOUT_MS: '20000',
  }
  delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', CHILD],
    { cwd: repoRoot, env },
  )
  let out = ''
  let err = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )
  return { child, exited, output: () => ({ out, err }) }
}

/** Resolves once the proxy has received a request that `match` accepts. */
function requestArrives(match: (method: string, url: string) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (proxy.requests.some((request) => match(request.method, request.url))) {
        clearInterval(timer)
        resolve()
      }
    }, 20)
  })
}

/** Resolves once the first `method` request after index `after` has been answered in full. */
async function firstAnswered(method: string, after: number): Promise<void> {
  while (proxy.requests.slice(after).find((request) => request.method === method)?.answeredAt === undefined) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

async function s3Workspace(pairs: number) {
  const prefix = `intr-${String(Math.random()).slice(2, 10)}`
  const remote = { type: 's3' as const, bucket: s3.bucket, prefix, endpoint: proxy.endpoint, forcePathStyle: true }
  const store = { storeOverrides: { credentials: TEST_CREDENTIALS } }
  const repo = await createDatasetRepo(await tempDir(), { pairs, remote, store })
  return { ...repo, prefix, store, dataset: path.join(repo.root, 'data/training') }
}

describe('data push / pull in a real process', () => {
  it('Ctrl-C during push says what was stored, publishes no manifest, exits 130, no SDK warning', async () => {
    const ws = await s3Workspace(1)
    await pullDataset(ws.root, ws.store)
    await writeSyntheticDataset(ws.dataset, { count: 2, seed: 60, startId: 60, sizes: SMALL_SIZES })
    await addDataset(ws.root, ws.store)
    const before = proxy.requests.length
    let puts = 0
    proxy.plan = (request, index) =>
      index > before && request.method === 'PUT' && ++puts > 1 ? { kind: 'hang' } : undefined
    const push = startCli(ws.root, ['data', 'push'])
    await requestArrives((method) => method === 'PUT' && puts > 1)
    // Uploads run side by side: the second can arrive before the first is answered. Ctrl-C once the first answer
    // is out (and the client has had a moment to count it), so one object is stored when the push stops.
    await firstAnswered('PUT', before)
    await new Promise((resolve) => setTimeout(resolve, 500))
    push.child.kill('SIGINT')
    const { code } = await push.exited
    proxy.plan = undefined
    const { err } = push.output()
    expect(code).toBe(130)
    expect(err).toContain('Stopping the push')
    expect(err).toMatch(/Push interrupted after uploading \d+ objects? .* of the new files/)
    expect(err).toContain('Run `training-runner data push` again')
    expect(err).not.toContain('NodeVersionSupportWarning')
    const dirs = (await s3.keys()).filter((key) => key.startsWith(`${ws.prefix}/`) && key.endsWith('.dir'))
    expect(dirs).toHaveLength(2) // only main's two manifests: the new version was not published

    const again = await runCliIn(ws.root, ['data', 'push'])
    expect(again.code).toBe(0)
    expect(again.out).toMatch(/Pushed \d+ objects? .*; \d+ already in the remote; 2 new manifest/)
  }, 120_000)

  it('kill -9 during pull leaves nothing among the data; the next pull removes its leftover', async () => {
    const ws = await s3Workspace(2)
    const before = proxy.requests.length
    proxy.plan = (request, index) =>
      index > before && request.method === 'GET' && !request.url.includes('.dir')
        ? { kind: 'stall', bytes: 50 }
        : undefined
    const pull = startCli(ws.root, ['data', 'pull'])
    await requestArrives((method, url) => method === 'GET' && !url.includes('.dir') && proxy.requests.length > before)
    await new Promise((resolve) => setTimeout(resolve, 300)) // the first bytes reach a temporary file
    pull.child.kill('SIGKILL')
    await pull.exited
    proxy.plan = undefined
    for (const folder of ['images', 'masks']) {
      const names = await readdir(path.join(ws.dataset, folder)).catch(() => [] as string[])
      expect(names.filter((name) => name.includes('.tmp-'))).toEqual([])
    }
    const temporaryDir = path.join(ws.root, '.wms/tmp/pull')
    expect((await readdir(temporaryDir)).length).toBeGreaterThan(0)

    const again = await runCliIn(ws.root, ['data', 'pull'])
    expect(again.code).toBe(0)
    expect(await readdir(temporaryDir)).toEqual([])
    expect((await runCliIn(ws.root, ['data', 'status'])).out).toContain('images   up to date')
  }, 120_000)
})
