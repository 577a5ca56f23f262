/**
 * Training speed of the runner against PyTorch on the same machine, in the same run.
 *
 *   npm run bench:train -- [--sizes 128,256] [--workers 1,2] [--threads 2] [--steps 5] [--data <dataset dir>]
 *                          [--no-torch] [--profile] [--compare-js] [--steps-only]
 *
 * Prints, per input size (batch 4): ms per training step of the trainer's own step on the chosen CPU backend with
 * 1 worker (in process) and with data-parallel worker threads (issue 18), then in one process on tfjs's threaded
 * wasm build with `--threads` threads (default: every core; `--threads 0` skips it), and on PyTorch (CPU, all
 * cores and one; also the CPU milliseconds per step of each, which the machine's load barely moves;
 * timed before and after the tfjs runs, the faster kept, because the machine is shared), their ratios, the
 * scaling from 1 to N workers, the live tensor count after each step (flat = no leak) and the wasm heap; then the input pipeline's images/s (cold:
 * decode + resize + augment + preprocess; warm: from the cache) and the trainer's idle share in a real training
 * run (time waiting for batches / total). Writes the numbers to bench/results/train-<time>.json.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as tf from '@tensorflow/tfjs'
import { describeChoice, selectBackend, trainModel, writeSyntheticDataset } from 'training-runner'
import { isDataset, measureInputPipeline } from './lib/input-pipeline.js'
import { timeTrainerStep, timeTrainingStep, type StepTiming } from './lib/tfjs-step.js'
import { ensureTorch, runTorch, type TorchResult } from './lib/torch-reference.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const flag = (name: string): boolean => args.includes(`--${name}`)
const option = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : undefined
}
const sizes = (option('sizes') ?? '128,256').split(',').map(Number)
const workerCounts = (option('workers') ?? `1,${String(Math.min(4, os.availableParallelism()))}`).split(',').map(Number)
const batch = 4
const log = (line: string): void => {
  process.stdout.write(`${line}\n`)
}

const loadNow = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
const stepsFor = (size: number): number => Number(option('steps') ?? (size <= 128 ? 5 : 3))
const threadCounts = (option('threads') ?? String(os.availableParallelism()))
  .split(',')
  .map(Number)
  .filter((n) => n > 1)

const backend = await selectBackend('auto')
log(describeChoice(backend))
log(
  `machine: ${String(os.cpus().length)} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
)

const torchOk = flag('no-torch') ? false : await ensureTorch(log)
const threads = os.cpus().length
// PyTorch, then tfjs, then PyTorch again: the machine is shared, so the reference brackets the measurement.
const torchBefore: TorchResult['results'] = []
const torchAfter: TorchResult['results'] = []
let torchPeakRssMiB = 0
const torchSingle: TorchResult['results'] = []
const torchRun = async (size: number, threadCount = threads): Promise<TorchResult['results']> => {
  const result = await runTorch(repoRoot, { sizes: [size], batch, steps: stepsFor(size), threads: threadCount })
  torchPeakRssMiB = Math.max(torchPeakRssMiB, result.peakRssMiB)
  return result.results
}
if (torchOk) {
  for (const size of sizes) {
    torchBefore.push(...(await torchRun(size)))
    if (threads > 1) torchSingle.push(...(await torchRun(size, 1)))
  }
  log(
    `PyTorch (${String(threads)} threads), before: ${torchBefore.map((r) => `${String(r.size)}² ${r.msPerStep.toFixed(0)} ms`).join(', ')}`,
  )
}

const tfjs: (StepTiming & { workers: number; threads: number })[] = []
for (const size of sizes) {
  for (const workers of workerCounts) {
    const timing = {
      ...(await timeTrainerStep({ size, batch, steps: stepsFor(size), warmup: 1, workers })),
      threads: 1,
    }
    tfjs.push(timing)
    log(
      `tfjs ${backend.candidate} ${String(size)}², ${String(workers)} worker(s), passes of ${String(timing.microBatchSize)}: ${timing.msPerStep.toFixed(0)} ms/step (samples ${timing.samples.map((s) => s.toFixed(0)).join(' ')}), tensors after each step ${timing.tensorsAfterStep.join(' ')}, wasm heap: main ${timing.wasmHeapMiB?.toFixed(0) ?? '–'} MiB${timing.workerHeapMiB.length > 0 ? `, workers ${timing.workerHeapMiB.map((m) => m?.toFixed(0) ?? '–').join(' / ')} MiB` : ''}, load ${loadNow()}`,
    )
  }
  if (flag('profile') && size === sizes[0]) {
    const profiled = await timeTrainingStep({ size, batch, steps: 1, warmup: 1, profile: true })
    for (const k of profiled.profile?.slice(0, 14) ?? [])
      log(`    ${k.kernel.padEnd(28)} ${k.ms.toFixed(1).padStart(8)} ms  ${String(k.calls).padStart(4)} calls`)
  }
}

let jsFallback: StepTiming | undefined
if (flag('compare-js') && backend.name === 'wasm') {
  process.env.WMS_WASM_SIMD = '0'
  jsFallback = await timeTrainerStep({
    size: sizes[0] ?? 128,
    batch,
    steps: stepsFor(sizes[0] ?? 128),
    warmup: 1,
    workers: 1,
  })
  delete process.env.WMS_WASM_SIMD
  log(
    `tfjs ${backend.candidate} ${String(jsFallback.size)}² with the JS fallbacks instead of SIMD: ${jsFallback.msPerStep.toFixed(0)} ms/step`,
  )
}

// Last: activating the threaded build replaces this process's wasm backend (the worker rows' workers and the
// input-pipeline run below keep their own single-threaded instances).
if (backend.name === 'wasm') {
  for (const threadCount of threadCounts) {
    await selectBackend('wasm', { env: { ...process.env, WMS_WASM_THREADS: String(threadCount) } })
    for (const size of sizes) {
      const timing = {
        ...(await timeTrainerStep({ size, batch, steps: stepsFor(size), warmup: 1, workers: 1 })),
        threads: threadCount,
      }
      tfjs.push(timing)
      log(
        `tfjs wasm threaded build ${String(size)}², 1 process × ${String(threadCount)} threads: ${timing.msPerStep.toFixed(0)} ms/step (samples ${timing.samples.map((v) => v.toFixed(0)).join(' ')}), CPU ${timing.cpuMsPerStep?.toFixed(0) ?? '–'} ms/step, tensors after each step ${timing.tensorsAfterStep.join(' ')}, load ${loadNow()}`,
      )
    }
  }
}

if (torchOk) {
  for (const size of sizes) {
    torchAfter.push(...(await torchRun(size)))
    if (threads > 1) torchSingle.push(...(await torchRun(size, 1)))
  }
  log(
    `PyTorch (${String(threads)} threads), after: ${torchAfter.map((r) => `${String(r.size)}² ${r.msPerStep.toFixed(0)} ms`).join(', ')}`,
  )
}

// The machine is shared: each PyTorch number is the faster of its bracketing runs (the conservative ratio).
const fastest = (values: (number | undefined)[]): number | undefined => {
  const known = values.filter((v): v is number => v !== undefined)
  return known.length === 0 ? undefined : Math.min(...known)
}
const rows = tfjs.map((t) => {
  const torchMs = fastest([
    torchBefore.find((r) => r.size === t.size)?.msPerStep,
    torchAfter.find((r) => r.size === t.size)?.msPerStep,
  ])
  const torchOneThreadMs = fastest(torchSingle.filter((r) => r.size === t.size).map((r) => r.msPerStep))
  const oneWorker = tfjs.find((o) => o.size === t.size && o.workers === 1 && o.threads === 1)
  const torchCpuMs = fastest([
    torchBefore.find((r) => r.size === t.size)?.cpuMsPerStep,
    torchAfter.find((r) => r.size === t.size)?.cpuMsPerStep,
  ])
  return {
    size: t.size,
    workers: t.workers,
    threads: t.threads,
    tfjsMs: t.msPerStep,
    tfjsCpuMs: t.cpuMsPerStep,
    torchCpuMs,
    speedupOverOneWorker: oneWorker === undefined ? undefined : oneWorker.msPerStep / t.msPerStep,
    torchMs,
    ratio: torchMs === undefined ? undefined : t.msPerStep / torchMs,
    torchOneThreadMs,
    ratioOneThread: torchOneThreadMs === undefined ? undefined : t.msPerStep / torchOneThreadMs,
  }
})

// Input pipeline and the trainer's idle share, on the given dataset or on generated phone-sized photos.
const scratch = await mkdtemp(path.join(os.tmpdir(), 'wms-bench-train-'))
try {
  const given = option('data')
  let data = given === undefined ? undefined : path.resolve(given)
  if (data === undefined || !(await isDataset(data))) {
    data = path.join(scratch, 'data')
    await writeSyntheticDataset(data, {
      count: 24,
      seed: 11,
      sizes: [
        [1000, 1333],
        [1333, 1000],
      ],
      exifRotatedEvery: 4,
      maskFormat: 'jpeg',
    })
  }
  // --steps-only: just the step timings (e.g. the 512² batch-4 check), without the pipeline and idle-share runs.
  const pipeline = flag('steps-only') ? undefined : await measureInputPipeline(data, 128)
  if (pipeline !== undefined) {
    log(
      `input pipeline (${String(pipeline.pairs)} pairs → 128²): cold ${pipeline.coldImagesPerSecond.toFixed(1)} images/s (decode + resize + augment + preprocess), warm ${pipeline.warmImagesPerSecond.toFixed(1)} images/s (cached)`,
    )
  }
  const run = flag('steps-only')
    ? undefined
    : await trainModel({
        datasetRoot: data,
        outDir: path.join(scratch, 'model'),
        config: { imageSize: 128, epochs: 2, backend: backend.name === 'wasm' ? 'wasm' : 'auto' },
        backend,
      })
  if (run !== undefined) {
    log(
      `trainer idle share over ${String(run.epochsRun)} epochs (default workers): ${(run.pipeline.idleShare * 100).toFixed(2)} % (waited ${run.pipeline.waitSeconds.toFixed(2)} s, trained ${run.pipeline.stepSeconds.toFixed(1)} s; first batch excluded)`,
    )
  }

  log('')
  const times = (v: number | undefined): string => (v === undefined ? '–' : `${v.toFixed(1)}×`)
  const setup = (r: (typeof rows)[number]): string =>
    r.threads > 1 ? `1 × ${String(r.threads)} threads` : `${String(r.workers)} worker${r.workers > 1 ? 's' : ''}`
  log(
    `| input | tfjs ${backend.candidate} | ms/step | CPU ms/step | speed-up vs 1 worker | PyTorch ${String(threads)} threads | ratio | PyTorch 1 thread | ratio | PyTorch CPU ms/step |`,
  )
  log('|---|---|---|---|---|---|---|---|---|---|')
  for (const r of rows) {
    log(
      `| ${String(r.size)}², batch ${String(batch)} | ${setup(r)} | ${r.tfjsMs.toFixed(0)} | ${r.tfjsCpuMs?.toFixed(0) ?? '–'} | ${times(r.speedupOverOneWorker)} | ${r.torchMs?.toFixed(0) ?? 'skipped'} | ${times(r.ratio)} | ${r.torchOneThreadMs?.toFixed(0) ?? '–'} | ${times(r.ratioOneThread)} | ${r.torchCpuMs?.toFixed(0) ?? '–'} |`,
    )
  }
  log(`load average at the end: ${loadNow()} (${String(os.cpus().length)} cores; other work was running)`)
  const rss = process.resourceUsage().maxRSS / 1024
  log(
    `peak RSS of this process: ${rss.toFixed(0)} MiB; PyTorch peak RSS: ${torchOk ? `${torchPeakRssMiB.toFixed(0)} MiB` : '–'}`,
  )

  await mkdir(path.join(repoRoot, 'bench', 'results'), { recursive: true })
  const file = path.join(repoRoot, 'bench', 'results', `train-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  await writeFile(
    file,
    `${JSON.stringify({ backend, loadAverage: os.loadavg(), rows, tfjs, jsFallback, torchBefore, torchAfter, torchSingle, pipeline, idle: run?.pipeline, peakRssMiB: rss, torchPeakRssMiB }, null, 2)}\n`,
  )
  log(`results: ${path.relative(repoRoot, file)}`)
} finally {
  await rm(scratch, { recursive: true, force: true })
  if (tf.memory().numTensors !== 0) log(`warning: ${String(tf.memory().numTensors)} tensors still alive`)
}
