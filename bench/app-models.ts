import { rm } from 'node:fs/promises'
import os from 'node:os'
import { startWebHostProcess } from '../e2e/web-host-process.js'
import { openCdpPage, type CdpPage } from './lib/cdp-page.js'
import { seededUserData } from './lib/seeded-user-data.js'
import { median, row } from './lib/stats.js'
import { longestTask, taskTracer, type TracedTask } from './lib/task-trace.js'

/**
 * Opening the Models area, as a user does it (a click on "Models" in the sidebar), in Chromium against the built
 * web host, on the demo workspace with N registered versions (promoted through the runner's gate and promote).
 * Measures the time from the click to the versions table and the chart on screen — the first open after start
 * (registry read cold) and again after leaving and coming back — and the renderer's long tasks in that window
 * (the Performance API's 'longtask' entries: wall time) and every UI-thread task's CPU time (a Chromium trace: on
 * two shared cores at load 8+ a task's wall time is its CPU time stretched by waiting for a core). The trace runs
 * until the area's reload of the registry has come back and been drawn. Baselines in the same run: the same view
 * with 3 versions, and the `models:get-overview` call alone (the registry read, no drawing).
 *
 *   npm run build && npx tsx --conditions=source bench/app-models.ts [--versions 200] [--repeat 3] [--fresh-seed]
 */
const args = process.argv.slice(2)
const option = (name: string, fallback: string): string => {
  const index = args.indexOf(name)
  return index >= 0 ? (args[index + 1] ?? fallback) : fallback
}
const versionCount = Number(option('--versions', '200'))
const repeat = Number(option('--repeat', '3'))
const freshSeed = args.includes('--fresh-seed')
/** After an open is drawn, how long the trace goes on: the reload of the registry answers and is applied. */
const SETTLE_MS = 2500
/** The wait before the "after idle" first open: the prefetch starts within 3 s and reads 200 versions in ~1–3 s. */
const IDLE_BEFORE_OPEN_MS = 8000

interface Opened {
  ms: number
  longTasks: number[]
  /** CPU time of the renderer's main thread while opening (CDP `ThreadTime`): the work, whatever the load. */
  cpuMs: number
  /** The UI thread's tasks from the click until the reload was applied. */
  tasks: TracedTask[]
}

interface Measured {
  versions: number
  seedSeconds: number
  seedCached: boolean
  cold: Opened
  warm: Opened[]
  apiMs: number[]
}

const PROBES = `(() => {
  const w = window
  w.__bench = { longTasks: [] }
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) w.__bench.longTasks.push([entry.startTime, entry.duration])
  }).observe({ type: 'longtask', buffered: true })
  return true
})()`

// Clicks a sidebar link and resolves once the area is drawn: for Models, every version row and both chart lines.
const openArea = (link: string, versions: number): string => `new Promise((resolve) => {
  const start = performance.now()
  document.querySelector('a[href="#/${link}"]').click()
  const done = () => ${
    link === 'models'
      ? `document.querySelectorAll('[data-testid="models-versions"] tbody tr').length === ${String(Math.min(versions, 30))} && document.querySelectorAll('[data-testid="models-chart"] .recharts-line').length === 2`
      : `!document.querySelector('[data-area="models"]')`
  }
  const check = () => {
    if (done()) {
      const end = performance.now()
      // Let a long task that ends the drawing be reported before reading them.
      setTimeout(() => resolve({
        ms: end - start,
        longTasks: window.__bench.longTasks.filter(([at]) => at >= start - 1).map(([, duration]) => duration),
      }), 150)
    } else requestAnimationFrame(check)
  }
  check()
})`

/** Opens an area and measures it, with the renderer main thread's CPU time and tasks around it. */
async function timedOpen(page: CdpPage, link: string, versions: number): Promise<Opened> {
  const tracer = taskTracer(page)
  await tracer.start()
  const before = await threadTime(page)
  const opened = await page.evaluate<Omit<Opened, 'cpuMs' | 'tasks'>>(openArea(link, versions))
  const cpuMs = (await threadTime(page)) - before
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS))
  return { ...opened, cpuMs, tasks: await tracer.stop() }
}

async function threadTime(page: CdpPage): Promise<number> {
  const { metrics } = await page.send<{ metrics: { name: string; value: number }[] }>('Performance.getMetrics')
  return (metrics.find((metric) => metric.name === 'ThreadTime')?.value ?? 0) * 1000
}

async function waitFor(page: CdpPage, expression: string, what: string): Promise<void> {
  for (let tries = 0; !(await page.evaluate<boolean>(expression).catch(() => false)); tries += 1) {
    if (tries > 600) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/**
 * One host and page with `versions` registered: the first open (right at start, or `idleMs` after the app is up,
 * when the app has prefetched the registry in its idle time), then `repeat` reopenings and the API alone.
 */
async function measure(versions: number, idleMs = 0, reopen = repeat): Promise<Measured> {
  const { userData, seedSeconds, cached: seedCached } = await seededUserData(versions, freshSeed)
  try {
    const host = await startWebHostProcess({ userData })
    const page = await openCdpPage(host.url)
    try {
      await waitFor(page, `!!document.querySelector('a[href="#/models"]')`, 'the app')
      await page.evaluate(PROBES)
      await page.send('Performance.enable', { timeDomain: 'threadTicks' })
      if (idleMs > 0) await new Promise((resolve) => setTimeout(resolve, idleMs))
      const cold = await timedOpen(page, 'models', versions)
      const warm: Opened[] = []
      for (let i = 0; i < reopen; i += 1) {
        await page.evaluate(openArea('add-data', versions))
        warm.push(await timedOpen(page, 'models', versions))
      }
      const token = new URL(host.url).hash.replace('#token=', '')
      const apiMs: number[] = []
      for (let i = 0; i < repeat; i += 1) {
        const started = performance.now()
        const response = await fetch(`${host.origin}/api/invoke/models:get-overview`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Origin: host.origin },
          body: '{}',
        })
        await response.json()
        apiMs.push(performance.now() - started)
      }
      return { versions, seedSeconds, seedCached, cold, warm, apiMs }
    } finally {
      await page.close()
      await host.stop()
    }
  } finally {
    await rm(userData, { recursive: true, force: true })
  }
}

const baseline = await measure(3)
const measured = await measure(versionCount)
// A user who opens Models a few seconds after start: the app has read the registry while idle.
const afterIdle = await measure(versionCount, IDLE_BEFORE_OPEN_MS, 0)
const widths = [9, 10, 12, 17, 18, 24, 22, 13, 10]
const maxCpu = (opened: readonly Opened[]): number => Math.max(0, ...opened.map((o) => longestTask(o.tasks).cpuMs))
// The trace's wall time of each task (the 'longtask' entries stop 150 ms after the drawing; the trace goes on).
const maxWall = (opened: readonly Opened[]): number =>
  Math.max(0, ...opened.flatMap((o) => [...o.longTasks, ...o.tasks.map((task) => task.wallMs)]))
console.log(
  `Models area in the app (web host + Chromium), ${String(os.cpus().length)} cores, load ${os.loadavg()[0]?.toFixed(1) ?? '?'}`,
)
console.log(
  row(
    [
      'versions',
      'seeded',
      'open (cold)',
      'open (warm, med)',
      'UI CPU (cold/warm)',
      'longest wall (cold/warm)',
      'longest CPU (cold/warm)',
      'overview API',
      'warm vs 3',
    ],
    widths,
  ),
)
for (const result of [baseline, measured]) {
  const warm = median(result.warm.map((opened) => opened.ms))
  console.log(
    row(
      [
        result.versions,
        result.seedCached ? 'cached' : `${result.seedSeconds.toFixed(1)} s`,
        `${result.cold.ms.toFixed(0)} ms`,
        `${warm.toFixed(0)} ms`,
        `${result.cold.cpuMs.toFixed(0)} / ${median(result.warm.map((opened) => opened.cpuMs)).toFixed(0)} ms`,
        `${maxWall([result.cold]).toFixed(0)} / ${maxWall(result.warm).toFixed(0)} ms`,
        `${maxCpu([result.cold]).toFixed(0)} / ${maxCpu(result.warm).toFixed(0)} ms`,
        `${median(result.apiMs).toFixed(0)} ms`,
        `${(warm / median(baseline.warm.map((opened) => opened.ms))).toFixed(2)}×`,
      ],
      widths,
    ),
  )
}
console.log(
  row(
    [
      `${String(versionCount)}, first open ${String(IDLE_BEFORE_OPEN_MS / 1000)} s after start`,
      `${afterIdle.cold.ms.toFixed(0)} ms`,
      `UI CPU ${afterIdle.cold.cpuMs.toFixed(0)} ms`,
      `longest task ${maxCpu([afterIdle.cold]).toFixed(0)} ms CPU, ${maxWall([afterIdle.cold]).toFixed(0)} ms wall`,
    ],
    [44, 10, 16, 40],
  ),
)
const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL')
const warmOpen = median(measured.warm.map((opened) => opened.ms))
const all = [measured.cold, ...measured.warm, afterIdle.cold]
console.log(
  [
    `${String(versionCount)} versions: open (warm) ${warmOpen.toFixed(0)} ms < 300 ms: ${verdict(warmOpen < 300)};`,
    `open (cold) ${measured.cold.ms.toFixed(0)} ms < 300 ms: ${verdict(measured.cold.ms < 300)};`,
    `first open after idle ${afterIdle.cold.ms.toFixed(0)} ms < 300 ms: ${verdict(afterIdle.cold.ms < 300)};`,
    `longest UI task ${maxCpu(all).toFixed(0)} ms CPU ≤ 100 ms: ${verdict(maxCpu(all) <= 100)},`,
    `${maxWall(all).toFixed(0)} ms wall at this load ≤ 100 ms: ${verdict(maxWall(all) <= 100)}`,
    '(targets: PRODUCT.md §9, issue 17)',
  ].join(' '),
)
