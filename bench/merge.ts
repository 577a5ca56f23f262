/**
 * bench/merge: merge 50 new pairs into S3 remotes holding 100 and 1,000 pairs, in one run, and compare with what
 * the old system moved (it pulled the whole dataset on every data push).
 *
 *   npm run bench:merge            (npx tsx --conditions=source bench/merge.ts)
 *
 * The S3 server is fauxqs on 127.0.0.1; every byte between the runner and the server crosses a counting TCP
 * proxy (headers included). Requests are counted by method from the server's log. Results: bench/results/merge.json.
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {
  createRemoteStore,
  dirObjectOf,
  fetchManifest,
  mergeDataBranch,
  type MergeResult,
  openRepo,
  pullDataset,
  writeSyntheticDataset,
} from 'training-runner'
import { formatBytes } from '@wms/shared/util/format'
import { createBenchRepo, startDataBranch } from './lib/bench-repo.js'
import { startCountingProxy } from './lib/counting-proxy.js'
import { BENCH_CREDENTIALS, startBenchS3Server } from './lib/s3-server.js'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

const EXISTING = [100, 1000]
const NEW_PAIRS = 50
// A small merge first, not reported, so that module loading and JIT warm-up do not land on the first case.
const WARM_UP = 10
// Each case merges this many different data branches (50 new pairs each); the median run is reported.
const RUNS = 3

interface Row {
  existingPairs: number
  newPairs: number
  newBytes: number
  manifestBytes: number
  merge: { sent: number; received: number; seconds: number; requests: Record<string, number> }
  oldSystem: { sent: number; received: number; seconds: number }
  ratio: { bytes: number; seconds: number }
  counts: MergeResult['byFolder']
}

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'wms-bench-merge-'))
  const server = await startBenchS3Server()
  const proxy = await startCountingProxy(server.endpoint)
  try {
    const total = Math.max(...EXISTING) + NEW_PAIRS * RUNS
    const generated = Date.now()
    const source = path.join(base, 'source')
    const pairs = await writeSyntheticDataset(source, {
      count: total,
      seed: 2026,
      maskFormat: 'jpeg',
      exifRotatedEvery: 5,
    })
    console.log(`generated ${String(total)} synthetic pairs in ${seconds(generated).toFixed(1)} s`)
    const batches = Array.from({ length: RUNS }, (_, run) =>
      pairs.slice(total - NEW_PAIRS * (run + 1), total - NEW_PAIRS * run),
    )

    const rows: Row[] = []
    for (const existing of [WARM_UP, ...EXISTING]) {
      const remote = {
        type: 's3' as const,
        bucket: server.bucket,
        prefix: `bench-${String(existing)}`,
        region: 'us-east-1',
        endpoint: server.endpoint,
        forcePathStyle: true,
      }
      const direct = { storeOverrides: { credentials: BENCH_CREDENTIALS } }
      const viaProxy = { storeOverrides: { credentials: BENCH_CREDENTIALS, endpoint: proxy.endpoint } }
      const dir = path.join(base, `case-${String(existing)}`)
      await mkdir(dir)
      const seeded = Date.now()
      const repo = await createBenchRepo(dir, { source, existing: pairs.slice(0, existing), remote, store: direct })
      console.log(`seeded a remote with ${String(existing)} pairs in ${seconds(seeded).toFixed(1)} s`)

      // The merge, as CI runs it on a data branch; several branches, the median run counts.
      const runs = []
      for (const [run, incoming] of batches.entries()) {
        await startDataBranch(repo.root, `data/bench-${String(run)}`, source, incoming)
        let newBytes = 0
        for (const pair of incoming) {
          newBytes += (await stat(path.join(source, pair.image))).size + (await stat(path.join(source, pair.mask))).size
        }
        proxy.reset()
        const firstRequest = server.requests.length
        const started = Date.now()
        const result = await mergeDataBranch({ workspace: repo.root, ...viaProxy })
        const took = seconds(started)
        const requests = countRequests(server.requests.slice(firstRequest), remote.prefix)
        runs.push({ result, newBytes, merge: { ...proxy.counters, seconds: took, requests } })
        if (existing === WARM_UP) break
      }
      const median = [...runs].sort((a, b) => a.merge.seconds - b.merge.seconds)[Math.floor(runs.length / 2)]!
      const { result, newBytes, merge } = median

      // What the old system did first on every data push: download the whole dataset of main.
      const clone = path.join(dir, 'old-system')
      await openRepo(dir).raw(['clone', '--quiet', '--branch', 'main', repo.origin, clone])
      proxy.reset()
      const pullStarted = Date.now()
      await pullDataset(clone, viaProxy)
      const pull = { ...proxy.counters, seconds: seconds(pullStarted) }
      const oldSystem = {
        sent: pull.sent + merge.sent,
        received: pull.received + merge.received,
        seconds: pull.seconds + merge.seconds,
      }

      if (existing === WARM_UP) continue
      console.log(`  merge runs: ${runs.map((run) => `${run.merge.seconds.toFixed(2)} s`).join(', ')}`)
      rows.push({
        existingPairs: existing,
        newPairs: NEW_PAIRS,
        newBytes,
        manifestBytes: await manifestBytes(repo.root, remote, result, direct),
        merge,
        oldSystem,
        ratio: {
          bytes: round((oldSystem.sent + oldSystem.received) / (merge.sent + merge.received)),
          seconds: round(oldSystem.seconds / merge.seconds),
        },
        counts: result.byFolder,
      })
    }
    print(rows)
    await mkdir('bench/results', { recursive: true })
    await writeFile('bench/results/merge.json', `${JSON.stringify({ at: new Date().toISOString(), rows }, null, 2)}\n`)
    console.log('\nwritten to bench/results/merge.json')
  } finally {
    await proxy.close()
    await server.close()
    await rm(base, { recursive: true, force: true })
  }
}

// Bytes of the .dir manifests the merge read (main's two) and wrote (the two new ones).
async function manifestBytes(
  root: string,
  remote: Parameters<typeof createRemoteStore>[0],
  result: MergeResult,
  store: { storeOverrides: Parameters<typeof createRemoteStore>[2] },
): Promise<number> {
  const remoteStore = createRemoteStore(remote, root, store.storeOverrides)
  let bytes = 0
  for (const out of Object.values(result.dvc))
    bytes += dirObjectOf(await fetchManifest(remoteStore, out.md5)).text.length
  const git = openRepo(root)
  for (const folder of ['images', 'masks']) {
    const text = await git.raw(['show', `main:data/training/${folder}.dvc`])
    const md5 = /md5: (\S+)/.exec(text)?.[1] ?? ''
    bytes += dirObjectOf(await fetchManifest(remoteStore, md5)).text.length
  }
  remoteStore.close()
  return bytes
}

function countRequests(requests: readonly { method: string; url: string }[], prefix: string): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const request of requests) {
    if (!request.url.includes(`/${prefix}`)) continue
    counts[request.method] = (counts[request.method] ?? 0) + 1
  }
  return counts
}

function print(rows: readonly Row[]): void {
  console.log(
    `\nmerge ${String(NEW_PAIRS)} new pairs (${formatBytes(rows[0]?.newBytes ?? 0)} of new files) into an S3 remote:\n`,
  )
  const header = [
    'existing pairs',
    'sent',
    'received',
    'requests',
    'seconds',
    'old: moved',
    'old: seconds',
    'ratio bytes',
    'ratio time',
  ]
  const lines = rows.map((row) => [
    String(row.existingPairs),
    formatBytes(row.merge.sent),
    formatBytes(row.merge.received),
    Object.entries(row.merge.requests)
      .map(([method, n]) => `${method} ${String(n)}`)
      .join(', '),
    row.merge.seconds.toFixed(2),
    formatBytes(row.oldSystem.sent + row.oldSystem.received),
    row.oldSystem.seconds.toFixed(2),
    `${String(row.ratio.bytes)}×`,
    `${String(row.ratio.seconds)}×`,
  ])
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => (line[i] ?? '').length)))
  for (const line of [header, ...lines]) console.log(line.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '))
  for (const row of rows) {
    const moved = row.merge.sent + row.merge.received
    console.log(
      `\n${String(row.existingPairs)} existing: moved ${formatBytes(moved)} = ${String(round(moved / (row.newBytes + row.manifestBytes)))}× (new files ${formatBytes(row.newBytes)} + manifests ${formatBytes(row.manifestBytes)}); counts ${JSON.stringify(row.counts.images)}`,
    )
  }
  const [small, large] = rows
  if (small !== undefined && large !== undefined) {
    console.log(
      `\ntime 1,000 vs 100 existing pairs: ${String(round(large.merge.seconds / small.merge.seconds))}× (target ≈ 1×)`,
    )
  }
}

function seconds(since: number): number {
  return (Date.now() - since) / 1000
}

function round(value: number): number {
  return Math.round(value * 100) / 100
}

await main()
