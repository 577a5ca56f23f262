/**
 * QA benchmark. In one run, for the real sample (240 pairs, if present) and for 1,000 real-sized pairs (the sample
 * reused with small variations, see lib/real-variants.ts, written once into the temp folder; generated pictures where
 * the sample is missing):
 * - the naive baseline: one pair after the other, every file fully decoded, no cache (lib/naive-qa.ts);
 * - `training-runner qa` in a fresh process, cold: an empty probe cache, the files in the OS page cache (as right
 *   after they were copied or downloaded);
 * - the same, cold from disk: the files evicted from the page cache first (fadvise; checked with fincore);
 * - warm: a fresh process again, the probe cache from the cold run, median of --warm-runs.
 * Each command's wall time includes process start; its CPU time comes from the process itself. Ratios are against
 * the naive baseline of the same run; the 1-minute load average is printed with every number (the machine is
 * shared: compare numbers taken at low load). `--runner <bin>` measures another checkout's CLI (before/after).
 *
 *   flock /work/coordination/bench.lock npm run bench:qa [-- --pairs 1000] [--sample <dir>] [--runner <bin>]
 *                                                     [--quiet-load 1.5] [--skip-naive]
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { writeSyntheticDataset } from 'training-runner'
import { hammingDistance } from '@wms/shared/qa/perceptual-hash'
import type { QaReport } from '@wms/shared/qa/report'
import { naiveQa } from './lib/naive-qa.js'
import { dropFromPageCache, loadIntoPageCache, residentBytes } from './lib/page-cache.js'
import { writeRealVariants } from './lib/real-variants.js'
import { median } from './lib/stats.js'

const root = path.resolve(import.meta.dirname, '..')
// The real sample sits in shared/ next to the checkout: ../shared (the lead's checkout) or ../../shared (wt/<branch>).
const sampleDefault =
  ['../shared', '../../shared'].map((shared) => path.resolve(root, shared, 'datasets/wms-sample')).find(existsSync) ??
  path.resolve(root, '../shared/datasets/wms-sample')
const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: '1000' },
    sample: { type: 'string', default: sampleDefault },
    'warm-runs': { type: 'string', default: '3' },
    runner: { type: 'string', default: path.join(root, 'training-runner/bin/training-runner.js') },
    'quiet-load': { type: 'string' },
    'skip-naive': { type: 'boolean', default: false },
  },
})
const RESULTS = path.join(root, 'bench/results')
const HOOK = path.join(root, 'bench/lib/rusage-hook.js')
const runner = path.resolve(values.runner)

/** One measured command or baseline. */
interface Timing {
  wallSeconds: number
  cpuSeconds: number
  /** 1-minute load average just before and just after. */
  load: [number, number]
  note?: string
}

interface DatasetResult {
  dataset: string
  pairs: number
  naive?: Timing
  cold: Timing
  coldDisk?: Timing
  warm: Timing
  summary: Record<string, number>
}

const load1 = (): number => os.loadavg()[0] ?? 0

async function waitForQuiet(): Promise<void> {
  const limit = values['quiet-load'] === undefined ? undefined : Number(values['quiet-load'])
  if (limit === undefined) return
  const deadline = Date.now() + 10 * 60_000
  while (load1() > limit && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5000))
}

/** `training-runner qa` in a fresh process: wall time from spawn to exit, CPU time as the process saw it. */
async function runCli(dir: string, cacheDir: string, extra: string[] = []): Promise<Timing & { stdout: string }> {
  await waitForQuiet()
  const usageFile = path.join(cacheDir, '..', `rusage-${String(process.pid)}.json`)
  const before = load1()
  const started = performance.now()
  const run = spawnSync(
    process.execPath,
    ['--import', HOOK, runner, 'qa', dir, '--cache-dir', cacheDir, '--events', 'none', ...extra],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, WMS_BENCH_RUSAGE: usageFile } },
  )
  const wallSeconds = (performance.now() - started) / 1000
  if (run.status !== 0 && run.status !== 1)
    throw new Error(`training-runner qa failed (${String(run.status)}): ${run.stderr}`)
  const usage = JSON.parse(await readFile(usageFile, 'utf8')) as { userSeconds: number; systemSeconds: number }
  await rm(usageFile, { force: true })
  return {
    wallSeconds,
    cpuSeconds: usage.userSeconds + usage.systemSeconds,
    load: [before, load1()],
    stdout: run.stdout,
  }
}

function show(label: string, timing: Timing, pairs: number, naive?: Timing): void {
  const ratio = naive === undefined ? '' : `  ${(naive.wallSeconds / timing.wallSeconds).toFixed(1)}× naive`
  const per1000 = ((timing.wallSeconds / pairs) * 1000).toFixed(2)
  // CPU over wall: how many cores the run kept busy (2 at most here; less when other work shares the machine).
  const cores = (timing.cpuSeconds / timing.wallSeconds).toFixed(2)
  process.stdout.write(
    `  ${label.padEnd(34)} ${timing.wallSeconds.toFixed(2).padStart(7)} s wall  ${timing.cpuSeconds.toFixed(2).padStart(6)} s CPU (${cores} cores)  (${per1000} s per 1,000 pairs)${ratio}  load ${timing.load[0].toFixed(1)}→${timing.load[1].toFixed(1)}${timing.note === undefined ? '' : `  ${timing.note}`}\n`,
  )
}

async function measure(name: string, dir: string): Promise<DatasetResult> {
  process.stdout.write(`\n${name}: ${dir}\n`)
  let naive: Timing | undefined
  let naiveReport: QaReport | undefined
  if (!values['skip-naive']) {
    await loadIntoPageCache(dir)
    await waitForQuiet()
    const before = load1()
    const cpu = process.cpuUsage()
    const started = performance.now()
    naiveReport = await naiveQa(dir)
    const used = process.cpuUsage(cpu)
    naive = {
      wallSeconds: (performance.now() - started) / 1000,
      cpuSeconds: (used.user + used.system) / 1e6,
      load: [before, load1()],
    }
    show('naive: sequential full decode', naive, naiveReport.summary.pairs)
  }

  const scratch = await mkdtemp(path.join(os.tmpdir(), 'wms-bench-qa-'))
  try {
    const cacheDir = path.join(scratch, 'cache')
    await loadIntoPageCache(dir)
    const cold = await runCli(dir, cacheDir)
    const report = path.join(scratch, 'report.json')
    // The pair count and verdict summary come from one more (warm, untimed) run that writes the JSON report.
    await runCli(dir, cacheDir, ['--report-json', report])
    const engineReport = JSON.parse(await readFile(report, 'utf8')) as QaReport
    const { summary } = engineReport
    const pairs = summary.pairs
    show('engine cold (files in page cache)', cold, pairs, naive)
    if (naiveReport !== undefined) process.stdout.write(`  ${compareVerdicts(naiveReport, engineReport)}\n`)

    let coldDisk: Timing | undefined
    if (await dropFromPageCache(dir)) {
      const resident = await residentBytes(dir)
      const diskCache = path.join(scratch, 'cache-disk')
      coldDisk = await runCli(dir, diskCache)
      coldDisk.note =
        resident === undefined
          ? '(eviction not verified: no fincore)'
          : `(${(resident / 1e6).toFixed(1)} MB still cached before the run)`
      show('engine cold (page cache dropped)', coldDisk, pairs, naive)
    } else {
      process.stdout.write(
        '  engine cold from disk: skipped (no dd iflag=nocache here to evict files from the page cache)\n',
      )
    }

    await loadIntoPageCache(dir)
    const warmRuns: Timing[] = []
    for (let run = 0; run < Number(values['warm-runs']); run += 1) warmRuns.push(await runCli(dir, cacheDir))
    const warmWall = median(warmRuns.map((run) => run.wallSeconds))
    const warm = warmRuns.find((run) => run.wallSeconds === warmWall) ?? {
      wallSeconds: warmWall,
      cpuSeconds: median(warmRuns.map((run) => run.cpuSeconds)),
      load: [load1(), load1()] as [number, number],
    }
    show(`engine warm (median of ${String(warmRuns.length)})`, warm, pairs, naive)
    return {
      dataset: name,
      pairs,
      ...(naive === undefined ? {} : { naive }),
      cold,
      ...(coldDisk === undefined ? {} : { coldDisk }),
      warm,
      summary: { errors: summary.errors, warnings: summary.warnings, ...summary.byRule },
    }
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

/** Do the engine (reduced decodes) and the full-decode baseline reach the same verdicts? How far apart are hashes? */
function compareVerdicts(reference: QaReport, engine: QaReport): string {
  const key = (report: QaReport): string[] =>
    report.issues.map((issue) => `${issue.sampleId} ${issue.ruleId} ${JSON.stringify(issue.details.similarTo ?? '')}`)
  const expected = key(reference)
  const actual = key(engine)
  const missing = expected.filter((entry) => !actual.includes(entry))
  const extra = actual.filter((entry) => !expected.includes(entry))
  const hashes = new Map(reference.samples.map((sample) => [sample.sampleId, sample.image.phash]))
  const drift = engine.samples.flatMap((sample) => {
    const other = hashes.get(sample.sampleId)
    return other === undefined || sample.image.phash === undefined ? [] : [hammingDistance(other, sample.image.phash)]
  })
  const hashNote = `perceptual hash reduced vs full decode: max ${String(Math.max(0, ...drift))} bits, mean ${(drift.reduce((a, b) => a + b, 0) / Math.max(1, drift.length)).toFixed(2)} bits`
  if (missing.length === 0 && extra.length === 0) {
    return `verdicts: identical to the full-decode baseline (${String(actual.length)} issues); ${hashNote}`
  }
  return `verdicts DIFFER from the full-decode baseline: missing ${missing.slice(0, 5).join('; ')} extra ${extra.slice(0, 5).join('; ')}; ${hashNote}`
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  )
}

/** 1,000 real-sized pairs: the sample with variations, or generated phone-sized pairs without the sample. */
async function thousandPairs(count: number, haveSample: boolean): Promise<{ name: string; dir: string }> {
  if (haveSample) {
    // In the temp folder (reused by later runs while it lasts), not the checkout: these are copies of the sample.
    const dir = path.join(os.tmpdir(), `wms-bench-qa-real-variants-${String(count)}`)
    if (!(await exists(path.join(dir, '.complete'))))
      process.stdout.write(`writing ${String(count)} pairs from the sample into ${dir} (once)…\n`)
    return { name: `${String(count)} real-sized pairs`, dir: await writeRealVariants(values.sample, dir, count) }
  }
  const dir = path.join(os.tmpdir(), `wms-bench-qa-generated-real-size-${String(count)}`)
  if (!(await exists(path.join(dir, '.complete')))) {
    process.stdout.write(`generating ${String(count)} phone-sized pairs in ${dir} (once)…\n`)
    await rm(dir, { recursive: true, force: true })
    await writeSyntheticDataset(dir, {
      count,
      seed: 2026,
      sizes: [
        [1000, 1333],
        [1333, 1000],
        [1000, 1778],
      ],
      maskFormat: 'jpeg',
      exifRotatedEvery: 6,
      gpsEvery: 4,
    })
    await writeFile(path.join(dir, '.complete'), '')
  }
  return { name: `${String(count)} generated pairs`, dir }
}

function verdictLine(result: DatasetResult): string {
  const { cold, warm, coldDisk, pairs } = result
  const per1000 = (timing: Timing): string => ((timing.wallSeconds / pairs) * 1000).toFixed(2)
  return `${result.dataset}: cold ${cold.wallSeconds.toFixed(2)} s (${per1000(cold)} s per 1,000 pairs; target < 5 s)${coldDisk === undefined ? '' : `, cold from disk ${coldDisk.wallSeconds.toFixed(2)} s`}, warm ${warm.wallSeconds.toFixed(3)} s (${per1000(warm)} s per 1,000; target < 0.5 s)`
}

process.stdout.write(
  `QA benchmark: ${runner}\n${os.cpus()[0]?.model ?? 'unknown CPU'}, ${String(os.availableParallelism())} cores, Node ${process.version}, load ${os
    .loadavg()
    .map((value) => value.toFixed(1))
    .join(' ')}\n`,
)
const haveSample = await exists(values.sample)
if (!haveSample) process.stdout.write(`real sample not found at ${values.sample}: measuring generated pairs only\n`)
const results: DatasetResult[] = []
if (haveSample) results.push(await measure('real sample', values.sample))
const thousand = await thousandPairs(Number(values.pairs), haveSample)
results.push(await measure(thousand.name, thousand.dir))

process.stdout.write(`\n${results.map(verdictLine).join('\n')}\n`)
await mkdir(RESULTS, { recursive: true })
const file = path.join(RESULTS, `qa-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
await writeFile(
  file,
  `${JSON.stringify({ runner, machine: { cpus: os.availableParallelism(), node: process.version }, results }, null, 2)}\n`,
)
process.stdout.write(`results: ${path.relative(process.cwd(), file)}\n`)
