import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { writeSyntheticDataset } from 'training-runner'
import { startWebHostProcess } from '../e2e/web-host-process.js'
import { openCdpPage } from './lib/cdp-page.js'
import { row } from './lib/stats.js'

/**
 * Add data in the app, as an annotator does it: pick a folder of pairs, wait for QA. Measures, in Chromium against
 * the built web host and from the moment the files reach the page: time to the first pairs on screen, to the first
 * QA result, to all QA done, and the renderer's long tasks (the Performance API's 'longtask' entries). Baseline in
 * the same run: the QA engine alone (CLI, cold cache) on the same folder — the app's cost over it is upload,
 * storage, streaming and drawing. Chromium is driven over raw CDP (see lib/cdp-page.ts), not through Playwright.
 *
 *   npm run build && npx tsx bench/app-add-data.ts [--real <dir>] [--generated <n>]
 */
const root = path.resolve(import.meta.dirname, '..')
const args = process.argv.slice(2)
const option = (name: string, fallback: string): string => {
  const index = args.indexOf(name)
  return index >= 0 ? (args[index + 1] ?? fallback) : fallback
}
const realDir = option('--real', path.resolve(root, '../shared/datasets/wms-sample'))
const generatedCount = Number(option('--generated', '1000'))

interface Measured {
  name: string
  pairs: number
  firstCardMs: number
  firstResultMs: number
  uploadedMs: number
  allQaMs: number
  longTasks: number[]
  engineMs: number
}

function engineSeconds(dir: string): number {
  const cache = path.join(os.tmpdir(), `wms-bench-engine-${String(process.pid)}`)
  const started = performance.now()
  const run = spawnSync(
    process.execPath,
    [path.join(root, 'training-runner/bin/training-runner.js'), 'qa', dir, '--cache-dir', cache, '--json'],
    {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    },
  )
  const elapsed = performance.now() - started
  spawnSync('rm', ['-rf', cache])
  if (run.status !== 0 && run.status !== 1) throw new Error(`training-runner qa failed: ${run.stderr}`)
  return elapsed
}

// Page-side probes: when the files arrive (the input's change event), when the first pair card appears, when the
// first QA verdict shows, and every long task of the renderer's main thread.
const PROBES = `(() => {
  const w = window
  w.__bench = { start: 0, firstCard: 0, firstResult: 0, uploading: false, uploaded: 0, longTasks: [] }
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) w.__bench.longTasks.push([entry.startTime, entry.duration])
  }).observe({ type: 'longtask', buffered: true })
  document.addEventListener('change', () => { w.__bench.start = performance.now() }, true)
  new MutationObserver(() => {
    const b = w.__bench
    if (b.start === 0) return
    if (b.firstCard === 0 && document.querySelector('[data-pair-id]')) b.firstCard = performance.now()
    if (b.firstResult === 0 && document.querySelector('[data-pair-id]:not([data-status="pending"]):not([data-status="checking"])')) b.firstResult = performance.now()
    const uploading = document.querySelector('.upload') !== null
    if (uploading) b.uploading = true
    else if (b.uploading && b.uploaded === 0) b.uploaded = performance.now()
  }).observe(document, { subtree: true, childList: true, attributes: true })
  return true
})()`

async function measure(name: string, dir: string, pairs: number): Promise<Measured> {
  const userData = await mkdtemp(path.join(os.tmpdir(), 'wms-bench-app-'))
  const host = await startWebHostProcess({ userData })
  const page = await openCdpPage(host.url)
  try {
    const ready = async (): Promise<boolean> =>
      page.evaluate<boolean>(`!!document.querySelector('[data-testid="folder-input"]')`).catch(() => false)
    for (let tries = 0; !(await ready()); tries += 1) {
      if (tries > 200) throw new Error('the app did not open')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await page.evaluate(PROBES)
    await page.setInputFiles('[data-testid="folder-input"]', [dir])
    const deadline = Date.now() + 600_000
    for (;;) {
      const done = await page.evaluate<boolean>(
        `Number(document.querySelector('[data-testid="summary-pairs"]')?.textContent ?? '0') === ${String(pairs)} && document.body.textContent.includes('QA is up to date.')`,
      )
      if (done) break
      if (Date.now() > deadline) throw new Error(`QA of ${name} did not finish in time`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const bench = await page.evaluate<{
      start: number
      firstCard: number
      firstResult: number
      uploaded: number
      longTasks: [number, number][]
      now: number
    }>('({ ...window.__bench, now: performance.now() })')
    return {
      name,
      pairs,
      firstCardMs: bench.firstCard - bench.start,
      firstResultMs: bench.firstResult - bench.start,
      uploadedMs: bench.uploaded - bench.start,
      allQaMs: bench.now - bench.start,
      // Long tasks from the moment the files arrived (the browser's own work listing them comes before).
      longTasks: bench.longTasks.filter(([start]) => start >= bench.start).map(([, duration]) => duration),
      engineMs: 0,
    }
  } finally {
    await page.close()
    await host.stop()
    await rm(userData, { recursive: true, force: true })
  }
}

/** The app run, then the engine alone on the same folder once the app is gone (so neither slows the other). */
async function measureWithBaseline(name: string, dir: string, pairs: number): Promise<Measured> {
  const app = await measure(name, dir, pairs)
  return { ...app, engineMs: engineSeconds(dir) }
}

const results: Measured[] = []
if (existsSync(path.join(realDir, 'images'))) {
  results.push(await measureWithBaseline('real sample', realDir, 240))
} else {
  console.log(`(real sample not found at ${realDir}; skipped)`)
}
const generated = await mkdtemp(path.join(os.tmpdir(), 'wms-bench-gen-'))
await writeSyntheticDataset(generated, {
  count: generatedCount,
  seed: 99,
  maskFormat: 'jpeg',
  exifRotatedEvery: 7,
  gpsEvery: 9,
})
results.push(await measureWithBaseline('generated', generated, generatedCount))
await rm(generated, { recursive: true, force: true })

const widths = [14, 7, 12, 16, 12, 9, 13, 24, 10]
console.log(
  `Add data in the app (web host + Chromium), ${String(os.cpus().length)} cores, load ${os.loadavg()[0]?.toFixed(1) ?? '?'}`,
)
console.log(
  row(
    [
      'set',
      'pairs',
      'first pairs',
      'first QA result',
      'all uploaded',
      'all QA',
      'engine alone',
      'long tasks >50 ms (max)',
      'app/engine',
    ],
    widths,
  ),
)
for (const result of results) {
  const max = Math.max(0, ...result.longTasks)
  console.log(
    row(
      [
        result.name,
        result.pairs,
        `${(result.firstCardMs / 1000).toFixed(2)} s`,
        `${(result.firstResultMs / 1000).toFixed(2)} s`,
        `${(result.uploadedMs / 1000).toFixed(1)} s`,
        `${(result.allQaMs / 1000).toFixed(1)} s`,
        `${(result.engineMs / 1000).toFixed(1)} s`,
        `${String(result.longTasks.length)} (${max.toFixed(0)} ms)`,
        `${(result.allQaMs / result.engineMs).toFixed(2)}×`,
      ],
      widths,
    ),
  )
}
