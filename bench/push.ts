/**
 * bench/push: `data push` of 10 new pairs onto a dataset of 240 pairs in an S3 remote — how many requests it sends.
 *
 *   npx tsx --conditions=source bench/push.ts     (under `flock /work/coordination/bench.lock`)
 *
 * fauxqs on 127.0.0.1; requests counted by method from the server's log. Baseline, measured in the same run: a push
 * that asks about every tracked file (`data push --repair`, the same one-HEAD-per-file check the push on main made
 * before the manifest diff named the new objects).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { addDataset, pullDataset, pushDataset, writeSyntheticDataset } from 'training-runner'
import { createBenchRepo } from './lib/bench-repo.js'
import { BENCH_CREDENTIALS, startBenchS3Server } from './lib/s3-server.js'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

const EXISTING = 240
const NEW_PAIRS = 10

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'wms-bench-push-'))
  const server = await startBenchS3Server()
  try {
    const source = path.join(base, 'source')
    const pairs = await writeSyntheticDataset(source, { count: EXISTING, seed: 2026, sizes: [[64, 48]] })
    const remote = {
      type: 's3' as const,
      bucket: server.bucket,
      prefix: 'dvc',
      region: 'us-east-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
    }
    const store = { storeOverrides: { credentials: BENCH_CREDENTIALS } }
    const rows: Record<string, { requests: Record<string, number>; seconds: number; checked: number }> = {}
    for (const mode of ['full check (baseline)', 'manifest diff'] as const) {
      const caseBase = path.join(base, mode.startsWith('full') ? 'full' : 'diff')
      const { root } = await createBenchRepo(caseBase, {
        source,
        existing: pairs,
        remote: { ...remote, prefix: mode.startsWith('full') ? 'full' : 'diff' },
        store,
      })
      await pullDataset(root, store)
      await writeSyntheticDataset(path.join(root, 'data/training'), {
        count: NEW_PAIRS,
        seed: 7,
        startId: 9000,
        sizes: [[64, 48]],
      })
      await addDataset(root, store)
      const before = server.requests.length
      const started = performance.now()
      const result = await pushDataset(root, { ...store, repair: mode.startsWith('full') })
      const seconds = (performance.now() - started) / 1000
      const requests: Record<string, number> = {}
      for (const request of server.requests.slice(before))
        requests[request.method] = (requests[request.method] ?? 0) + 1
      rows[mode] = { requests, seconds, checked: result.checked }
    }
    const heads = (mode: string) => rows[mode]?.requests.HEAD ?? 0
    const baseline = heads('full check (baseline)')
    const now = heads('manifest diff')
    console.log(
      `load: ${os
        .loadavg()
        .map((value) => value.toFixed(1))
        .join(' ')}`,
    )
    for (const [mode, row] of Object.entries(rows)) {
      console.log(
        `${mode.padEnd(22)} HEAD ${String(row.requests.HEAD ?? 0).padStart(4)}  all ${JSON.stringify(row.requests)}  objects asked about ${String(row.checked)}  ${row.seconds.toFixed(2)} s`,
      )
    }
    console.log(
      `HEAD requests: ${String(now)} vs ${String(baseline)} (ratio ${(baseline / Math.max(1, now)).toFixed(1)}×)`,
    )
  } finally {
    await server.close()
    await rm(base, { recursive: true, force: true })
  }
}

await main()
