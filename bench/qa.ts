/**
 * QA benchmark: pairs per second of the QA engine, cold (empty cache) and warm (unchanged files), against a naive
 * sequential full-decode implementation in the same run, on the real sample (240 pairs, if present) and on a
 * generated 2,000-pair set. Prints the ratios and the PRODUCT.md §9 targets extrapolated to 1,000 pairs.
 *
 *   npm run bench:qa [-- --pairs 2000] [-- --sample <dir>]
 */
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { writeSyntheticDataset } from 'training-runner/demo/synthetic-dataset'
import { discoverPairs } from 'training-runner/qa/discover-pairs'
import { defaultQaConcurrency, runQa } from 'training-runner/qa/run-qa'
import { decodeFloor } from './lib/decode-floor.js'
import { naiveQa } from './lib/naive-qa.js'

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: '2000' },
    sample: { type: 'string', default: path.resolve(import.meta.dirname, '../../shared/datasets/wms-sample') },
    'warm-runs': { type: 'string', default: '3' },
  },
})
const RESULTS = path.resolve(import.meta.dirname, 'results')
const generatedCount = Number(values.pairs)

interface Measurement {
  dataset: string
  pairs: number
  naiveSeconds: number
  floorSeconds: number
  coldSeconds: number
  warmSeconds: number
  summary: Record<string, number>
}

async function exists(dir: string): Promise<boolean> {
  return stat(dir).then(
    () => true,
    () => false,
  )
}

/** Reads every file once so that all three runs find them in the OS page cache (no run pays for the disk). */
async function preread(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) await readFile(path.join(entry.parentPath, entry.name))
  }
}

async function engine(dir: string, cacheDir: string) {
  const found = await discoverPairs([dir])
  return runQa({ pairs: found.pairs, pairingProblems: found.problems, cacheDir })
}

async function measure(name: string, dir: string): Promise<Measurement> {
  await preread(dir)
  process.stdout.write(`\n${name}: ${dir}\n`)
  let started = performance.now()
  const naive = await naiveQa(dir)
  const naiveSeconds = (performance.now() - started) / 1000
  process.stdout.write(`  naive sequential full decode  ${naiveSeconds.toFixed(2)} s\n`)

  started = performance.now()
  await decodeFloor(dir, defaultQaConcurrency())
  const floorSeconds = (performance.now() - started) / 1000
  process.stdout.write(`  decode floor (no analysis)    ${floorSeconds.toFixed(2)} s\n`)

  const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'wms-bench-qa-cache-'))
  try {
    started = performance.now()
    const cold = await engine(dir, cacheDir)
    const coldSeconds = (performance.now() - started) / 1000
    process.stdout.write(`  engine, cold cache            ${coldSeconds.toFixed(2)} s\n`)
    const warmTimes: number[] = []
    for (let run = 0; run < Number(values['warm-runs']); run += 1) {
      started = performance.now()
      await engine(dir, cacheDir)
      warmTimes.push((performance.now() - started) / 1000)
    }
    const warmSeconds = [...warmTimes].sort((a, b) => a - b)[Math.floor(warmTimes.length / 2)] ?? 0
    process.stdout.write(`  engine, warm cache (median)   ${warmSeconds.toFixed(3)} s\n`)
    if (naive.pairs !== cold.summary.pairs)
      throw new Error(`pair counts differ: ${String(naive.pairs)} vs ${String(cold.summary.pairs)}`)
    return {
      dataset: name,
      pairs: cold.summary.pairs,
      naiveSeconds,
      floorSeconds,
      coldSeconds,
      warmSeconds,
      summary: { errors: cold.summary.errors, warnings: cold.summary.warnings, ...cold.summary.byRule },
    }
  } finally {
    await rm(cacheDir, { recursive: true, force: true })
  }
}

async function generated(count: number): Promise<string> {
  const dir = path.join(RESULTS, `qa-generated-${String(count)}`)
  const marker = path.join(dir, '.complete')
  if (await exists(marker)) return dir
  await rm(dir, { recursive: true, force: true })
  process.stdout.write(`generating ${String(count)} pairs in ${dir} (once; kept for later runs)…\n`)
  await writeSyntheticDataset(dir, {
    count,
    seed: 2026,
    sizes: [
      [600, 800],
      [800, 600],
      [900, 506],
    ],
    maskFormat: 'jpeg',
    exifRotatedEvery: 6,
    gpsEvery: 4,
  })
  await writeFile(marker, '')
  return dir
}

function report(results: Measurement[]): string {
  const rate = (pairs: number, seconds: number): string => (pairs / seconds).toFixed(1)
  const lines = [
    '',
    `QA benchmark on ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${String(os.availableParallelism())} cores, Node ${process.version}`,
    'dataset                pairs   naive p/s   floor p/s   cold p/s   warm p/s   cold/naive   warm/naive   warm/cold   cold/floor',
  ]
  for (const r of results) {
    lines.push(
      [
        r.dataset.padEnd(20),
        String(r.pairs).padStart(7),
        rate(r.pairs, r.naiveSeconds).padStart(11),
        rate(r.pairs, r.floorSeconds).padStart(11),
        rate(r.pairs, r.coldSeconds).padStart(10),
        rate(r.pairs, r.warmSeconds).padStart(10),
        `${(r.naiveSeconds / r.coldSeconds).toFixed(1)}×`.padStart(12),
        `${(r.naiveSeconds / r.warmSeconds).toFixed(0)}×`.padStart(12),
        `${(r.coldSeconds / r.warmSeconds).toFixed(0)}×`.padStart(11),
        (r.coldSeconds / r.floorSeconds).toFixed(2).padStart(12),
      ].join(' '),
    )
  }
  const real = results.find((r) => r.dataset === 'real sample')
  if (real !== undefined) {
    const per1000 = (seconds: number): string => ((seconds / real.pairs) * 1000).toFixed(2)
    lines.push(
      '',
      `1,000 real pairs (extrapolated): cold ${per1000(real.coldSeconds)} s (target < 5 s), warm ${per1000(real.warmSeconds)} s (target < 0.5 s), naive ${per1000(real.naiveSeconds)} s, decode floor ${per1000(real.floorSeconds)} s`,
      `load average during the run: ${os
        .loadavg()
        .map((load) => load.toFixed(1))
        .join(' ')} (other processes share these cores)`,
    )
  }
  return lines.join('\n')
}

const results: Measurement[] = []
if (await exists(values.sample)) results.push(await measure('real sample', values.sample))
else process.stdout.write(`real sample not found at ${values.sample}; skipped\n`)
results.push(await measure(`generated ${String(generatedCount)}`, await generated(generatedCount)))
const text = report(results)
process.stdout.write(`${text}\n`)
await mkdir(RESULTS, { recursive: true })
const file = path.join(RESULTS, `qa-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
await writeFile(
  file,
  `${JSON.stringify({ machine: { cpus: os.availableParallelism(), node: process.version }, results }, null, 2)}\n`,
)
process.stdout.write(`results: ${path.relative(process.cwd(), file)}\n`)
