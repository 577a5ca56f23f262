import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { chromium } from '@playwright/test'
import { writeSyntheticDataset } from '../training-runner/src/demo/synthetic-dataset.js'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/chromium.js'
import { startWebHostProcess } from '../e2e/web-host-process.js'
import { row } from './lib/stats.js'

/**
 * Add data in the app, as an annotator does it: pick a folder of pairs, wait for QA. Measures, in Chromium against
 * the built web host: time to the first pairs on screen, to the first QA result, to all QA done, and the renderer's
 * long tasks (PerformanceObserver 'longtask'). Baseline in the same run: the QA engine alone (CLI, cold cache) on
 * the same folder — the app's cost over it is upload, storage, streaming and drawing.
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

async function measure(name: string, dir: string, pairs: number): Promise<Measured> {
  const userData = await mkdtemp(path.join(os.tmpdir(), 'wms-bench-app-'))
  const host = await startWebHostProcess({ userData })
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await page.addInitScript(() => {
      const durations: number[] = []
      ;(window as unknown as { __longTasks: number[] }).__longTasks = durations
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) durations.push(entry.duration)
      }).observe({ type: 'longtask', buffered: true })
    })
    await page.goto(host.url)
    await page.getByRole('heading', { name: 'No pairs staged' }).waitFor()
    await page.evaluate(() => {
      ;(window as unknown as { __longTasks: number[] }).__longTasks.length = 0
    })
    const started = performance.now()
    await page.getByTestId('folder-input').setInputFiles(dir)
    await page.locator('[data-pair-id]').first().waitFor({ timeout: 120_000 })
    const firstCardMs = performance.now() - started
    await page
      .locator('[data-pair-id]:not([data-status="pending"]):not([data-status="checking"])')
      .first()
      .waitFor({ timeout: 120_000 })
    const firstResultMs = performance.now() - started
    await page.waitForFunction(
      (expected) => {
        const count = Number(document.querySelector('[data-testid="summary-pairs"]')?.textContent ?? '0')
        return count === expected && document.body.textContent.includes('QA is up to date.')
      },
      pairs,
      { timeout: 600_000, polling: 100 },
    )
    const allQaMs = performance.now() - started
    const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks)
    return { name, pairs, firstCardMs, firstResultMs, allQaMs, longTasks, engineMs: engineSeconds(dir) }
  } finally {
    await browser.close()
    await host.stop()
    await rm(userData, { recursive: true, force: true })
  }
}

const results: Measured[] = []
if (existsSync(path.join(realDir, 'images'))) {
  results.push(await measure('real sample', realDir, 240))
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
results.push(await measure(`generated`, generated, generatedCount))
await rm(generated, { recursive: true, force: true })

const widths = [14, 7, 12, 14, 11, 16, 22, 10]
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
        `${(result.allQaMs / 1000).toFixed(1)} s`,
        `${(result.engineMs / 1000).toFixed(1)} s`,
        `${String(result.longTasks.length)} (${max.toFixed(0)} ms)`,
        `${(result.allQaMs / result.engineMs).toFixed(2)}×`,
      ],
      widths,
    ),
  )
}
