/**
 * bench/serve: the prediction API under load, on loopback, with the same process a user runs
 * (`training-runner serve --model <folder>`, from source), driven by autocannon from this process.
 *
 *   flock /work/coordination/bench.lock npm run bench:serve [-- --requests 10000 --perf-requests 300 --photo <jpg>
 *     --leak-seconds 3600]
 *
 * 1. Baseline, in this process: the raw `predictMask` + `maskToPng` call (the code `/predict` runs) on the same
 *    photo with the same model and backend — what HTTP, queueing and multipart cost is measured against.
 * 2. Throughput and p50/p99 latency at 128² with the production architecture (U-Net base 16), 2 connections
 *    (the server's default concurrency).
 * 3. Overload: 64 connections against concurrency 2 + queue 32 — how many get 503 + Retry-After, and that nothing
 *    else fails.
 * 4. Leak check: `--requests` (10,000) predictions at 128² on a small U-Net (base 2) with the photo scaled to 256 px
 *    wide, so the run stays bounded — the same code path; the server's own RSS and TensorFlow.js tensor count (from
 *    /metrics) before, after 1,000 and after all.
 * Results: bench/results/serve.json. Load (uptime) is printed with the numbers: this machine is shared.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import sharp from 'sharp'
import { loadPredictor, maskToPng, predictMask, selectBackend, testPhoto, writeTinyModel } from 'training-runner'
import { median } from './lib/stats.js'

const repoRoot = path.resolve(import.meta.dirname, '..')
const SAMPLE = '/work/shared/datasets/wms-sample/images'

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    'perf-requests': { type: 'string', default: '300' },
    size: { type: 'string', default: '128' },
    photo: { type: 'string' },
    'leak-seconds': { type: 'string', default: '3600' },
  },
})
const size = Number(args.size)

async function benchPhoto(): Promise<{ bytes: Buffer; label: string }> {
  const file = args.photo ?? (existsSync(SAMPLE) ? path.join(SAMPLE, readdirSync(SAMPLE).sort()[0] ?? '') : undefined)
  if (file !== undefined && existsSync(file)) return { bytes: await readFile(file), label: path.basename(file) }
  return { bytes: await testPhoto(1000, 750), label: 'synthetic 1000×750 JPEG' }
}

/** Starts `training-runner serve` on a free port; resolves with its URL once the model is served. */
async function startServe(model: string, extra: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      "const { runCli } = await import('./training-runner/src/cli/main.ts'); process.exitCode = await runCli(process.argv.slice(1))",
      'serve',
      '--model',
      model,
      '--port',
      '0',
      ...extra,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      const found = /listening on (http:\/\/[\d.:]+)/.exec(stderr)
      if (found !== null && stderr.includes('serving model')) resolve(found[1] as string)
    })
    child.once('exit', () => reject(new Error(`serve exited:\n${stderr}`)))
  })
  return { url, child }
}

async function stopServe(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  return exited
}

/** The server's RSS (MiB) and live tensors, from its own /metrics. */
async function serverMemory(url: string): Promise<{ rssMiB: number; tensors: number }> {
  const text = await (await fetch(`${url}/metrics`)).text()
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN)
  return { rssMiB: value('process_resident_memory_bytes') / 2 ** 20, tensors: value('wms_tf_tensors') }
}

function load(url: string, photo: Buffer, options: { connections: number; amount?: number; duration?: number }) {
  return autocannon({
    url: `${url}/predict`,
    method: 'POST',
    headers: { 'content-type': 'image/jpeg' },
    body: photo,
    timeout: 60,
    ...options,
  })
}

function statusCounts(result: autocannon.Result): Record<string, number> {
  return Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count ?? 0]))
}

async function baseline(model: string, photo: Buffer, runs: number) {
  const predictor = await loadPredictor(model)
  try {
    for (let i = 0; i < 5; i += 1) await maskToPng(await predictMask(predictor, photo))
    const times: number[] = []
    for (let i = 0; i < runs; i += 1) {
      const started = performance.now()
      await maskToPng(await predictMask(predictor, photo))
      times.push(performance.now() - started)
    }
    return { medianMs: median(times), runs }
  } finally {
    predictor.dispose()
  }
}

const work = await mkdtemp(path.join(os.tmpdir(), 'wms-bench-serve-'))
try {
  const backend = await selectBackend('auto')
  const photo = await benchPhoto()
  const production = await writeTinyModel(path.join(work, 'base16'), { size, baseFilters: 16, foreground: 'random' })
  const small = await writeTinyModel(path.join(work, 'base2'), { size, baseFilters: 2, foreground: 'random' })
  const smallPhoto = await sharp(photo.bytes).rotate().resize(256).jpeg({ quality: 90 }).toBuffer()
  console.log(
    `backend ${backend.name}; photo ${photo.label} (${String(photo.bytes.length)} bytes); model input ${String(size)}²`,
  )
  console.log(
    `load before: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${String(os.cpus().length)} cores`,
  )

  const base16 = await baseline(production, photo.bytes, 20)
  const base2 = await baseline(small, smallPhoto, 40)
  console.log(
    `baseline in-process predictMask+PNG: base16 ${base16.medianMs.toFixed(1)} ms, base2 on the 256-px photo ${base2.medianMs.toFixed(1)} ms (median)`,
  )

  const perfServer = await startServe(production, [
    '--backend',
    backend.name === 'tensorflow' ? 'tensorflow' : backend.name,
  ])
  await load(perfServer.url, photo.bytes, { connections: 2, amount: 10 })
  const perf = await load(perfServer.url, photo.bytes, { connections: 2, amount: Number(args['perf-requests']) })
  const perfRow = {
    requests: perf.requests.total,
    throughputPerSecond: perf.requests.total / perf.duration,
    p50Ms: perf.latency.p50,
    p99Ms: perf.latency.p99,
    statuses: statusCounts(perf),
    errors: perf.errors,
    p50OverBaseline: perf.latency.p50 / base16.medianMs,
    throughputOverBaseline: perf.requests.total / perf.duration / (1000 / base16.medianMs),
  }
  console.log('perf (base16, 2 connections):', perfRow)

  const overload = await load(perfServer.url, photo.bytes, { connections: 64, duration: 10 })
  const counts = statusCounts(overload)
  const overloadRow = {
    statuses: counts,
    served: counts['200'] ?? 0,
    refused503: counts['503'] ?? 0,
    otherFailures: Object.entries(counts)
      .filter(([code]) => code !== '200' && code !== '503')
      .reduce((sum, [, count]) => sum + count, 0),
    socketErrors: overload.errors,
    timeouts: overload.timeouts,
    p99Ms: overload.latency.p99,
  }
  console.log('overload (64 connections vs concurrency 2 + queue 32):', overloadRow)
  const perfExit = await stopServe(perfServer.child)

  const leakServer = await startServe(small, ['--backend', backend.name])
  await load(leakServer.url, smallPhoto, { connections: 2, amount: 50 })
  const before = await serverMemory(leakServer.url)
  const total = Number(args.requests)
  const deadline = Date.now() + Number(args['leak-seconds']) * 1000
  // In chunks of 1,000, each followed by the server's memory, so a run cut short by the time budget still says
  // how far it got and whether the tensor count moved.
  const chunks: { requests: number; non2xx: number; errors: number; seconds: number; p50Ms: number; p99Ms: number }[] =
    []
  const memory = [{ afterRequests: 0, ...before }]
  let done = 0
  while (done < total && Date.now() < deadline) {
    const amount = Math.min(1000, total - done)
    const chunk = await load(leakServer.url, smallPhoto, { connections: 2, amount })
    done += chunk.requests.total
    chunks.push({
      requests: chunk.requests.total,
      non2xx: chunk.non2xx,
      errors: chunk.errors,
      seconds: chunk.duration,
      p50Ms: chunk.latency.p50,
      p99Ms: chunk.latency.p99,
    })
    memory.push({ afterRequests: done, ...(await serverMemory(leakServer.url)) })
    console.log(`  leak check: ${String(done)} requests`, memory.at(-1))
  }
  const after = memory.at(-1) ?? memory[0]
  const seconds = chunks.reduce((sum, chunk) => sum + chunk.seconds, 0)
  const leakRow = {
    requests: done,
    cutByTimeBudget: done < total,
    non2xx: chunks.reduce((sum, chunk) => sum + chunk.non2xx, 0),
    errors: chunks.reduce((sum, chunk) => sum + chunk.errors, 0),
    throughputPerSecond: done / seconds,
    p50Ms: median(chunks.map((chunk) => chunk.p50Ms)),
    p99Ms: Math.max(...chunks.map((chunk) => chunk.p99Ms)),
    p50OverBaseline: median(chunks.map((chunk) => chunk.p50Ms)) / base2.medianMs,
    memory,
    tensorsSteady: memory.every((point) => point.tensors === before.tensors),
    rssGrowthMiB: (after?.rssMiB ?? NaN) - before.rssMiB,
  }
  console.log(`leak check (base2, 256-px photo, ${String(total)} requests):`, leakRow)
  const leakExit = await stopServe(leakServer.child)

  const result = {
    date: new Date().toISOString(),
    load: os.loadavg(),
    cores: os.cpus().length,
    backend: backend.name,
    photo: { label: photo.label, bytes: photo.bytes.length },
    size,
    baseline: { base16, base2 },
    perf: perfRow,
    overload: overloadRow,
    leak: leakRow,
    exitCodes: { perf: perfExit, leak: leakExit },
  }
  await mkdir(path.join(repoRoot, 'bench/results'), { recursive: true })
  await writeFile(path.join(repoRoot, 'bench/results/serve.json'), `${JSON.stringify(result, null, 2)}\n`)
  console.log(
    `load after: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; results in bench/results/serve.json`,
  )
} finally {
  await rm(work, { recursive: true, force: true })
}
