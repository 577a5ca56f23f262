import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createDemoWorkspace } from 'training-runner'
import { startWebHostProcess } from '../e2e/web-host-process.js'
import { openCdpPage, type CdpPage } from './lib/cdp-page.js'
import { writeHistory } from './lib/pipeline-history.js'
import { seededUserData } from './lib/seeded-user-data.js'
import { taskTracer } from './lib/task-trace.js'

/**
 * Where the UI thread's time goes when an area opens: a sampled CPU profile of the renderer from the click on the
 * area's link until it has settled, as self time per function (bottom-up), and the main thread's tasks. For
 * finding long tasks, not a bench (no baseline): the numbers to report come from bench/app-*.ts.
 *
 *   npm run build && npx tsx --conditions=source bench/profile-area.ts --area models [--versions 200]
 *   npx tsx --conditions=source bench/profile-area.ts --area pipeline [--events 5000]
 */
const args = process.argv.slice(2)
const option = (name: string, fallback: string): string => {
  const index = args.indexOf(name)
  return index >= 0 ? (args[index + 1] ?? fallback) : fallback
}
const area = option('--area', 'models')
const top = Number(option('--top', '30'))

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  startTime: number
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

async function userDataFor(): Promise<{ userData: string; temporary: boolean }> {
  if (area === 'models') {
    const { userData } = await seededUserData(Number(option('--versions', '200')), false)
    return { userData, temporary: false }
  }
  const userData = await mkdtemp(path.join(os.tmpdir(), 'wms-profile-'))
  const demo = await createDemoWorkspace(path.join(userData, 'demo'), { pairs: 8, incoming: 0 })
  await writeHistory(demo.workspace, 1, Number(option('--events', '5000')))
  return { userData, temporary: true }
}

async function settle(page: CdpPage, ms: number): Promise<void> {
  await page.evaluate(`new Promise((resolve) => setTimeout(resolve, ${String(ms)}))`)
}

function selfTimes(profile: Profile): [string, number][] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const self = new Map<string, number>()
  profile.samples.forEach((id, index) => {
    const frame = byId.get(id)?.callFrame
    if (frame === undefined) return
    const file = frame.url.split('/').at(-1) ?? ''
    const key = `${frame.functionName || '(anonymous)'} ${file}:${String(frame.lineNumber)}`
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000)
  })
  return [...self.entries()].sort((a, b) => b[1] - a[1])
}

/** Time under each function, stack and all (a function counted once per sample): which component costs what. */
function inclusiveTimes(profile: Profile, window?: [number, number]): [string, number][] {
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const total = new Map<string, number>()
  let at = profile.startTime
  profile.samples.forEach((id, index) => {
    at += profile.timeDeltas[index] ?? 0
    if (window !== undefined && (at < window[0] || at > window[1])) return
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = byId.get(at)?.callFrame.functionName ?? ''
      if (name === '' || seen.has(name)) continue
      seen.add(name)
      total.set(name, (total.get(name) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000)
    }
  })
  return [...total.entries()].sort((a, b) => b[1] - a[1])
}

const { userData, temporary } = await userDataFor()
const host = await startWebHostProcess({ userData })
const page = await openCdpPage(host.url)
try {
  while (!(await page.evaluate<boolean>(`!!document.querySelector('a[href="#/${area}"]')`))) await settle(page, 100)
  // First open (loads code and data), back to Add data, then the profiled open; --first profiles the first open.
  if (!args.includes('--first')) {
    await page.evaluate(`document.querySelector('a[href="#/${area}"]').click()`)
    await settle(page, Number(option('--first-wait', '4000')))
    await page.evaluate(`document.querySelector('a[href="#/add-data"]').click()`)
  }
  await settle(page, Number(option('--before', '1000')))
  const tracer = taskTracer(page)
  await page.send('Profiler.enable')
  await page.send('Profiler.setSamplingInterval', { interval: 200 })
  // The profiler first: starting it is a long task of its own (300 ms), which the trace must not show.
  await page.send('Profiler.start')
  await tracer.start()
  await page.evaluate(`document.querySelector('a[href="#/${area}"]').click()`)
  await settle(page, Number(option('--wait', '3000')))
  const { profile } = await page.send<{ profile: Profile }>('Profiler.stop')
  const tasks = await tracer.stop()
  const long = tasks
    .filter((task) => task.cpuMs > 16)
    .map((task) => `${task.cpuMs.toFixed(0)}/${task.wallMs.toFixed(0)}`)
  console.log(`load ${os.loadavg()[0]?.toFixed(1) ?? '?'}; tasks over 16 ms CPU (cpu/wall ms): ${long.join(', ')}`)
  // Each long task's components (React function components are capitalised): what made it long.
  for (const task of tasks.filter((candidate) => candidate.cpuMs > 30)) {
    const window: [number, number] = [task.startUs, task.startUs + task.wallMs * 1000]
    const parts = inclusiveTimes(profile, window).filter(([name]) => /^[A-Z]/.test(name))
    const shown = parts.slice(0, 12).map(([name, ms]) => `${name} ${ms.toFixed(0)}`)
    console.log(`task ${task.cpuMs.toFixed(0)} ms CPU: ${shown.join(', ')}`)
  }
  console.log('self time:')
  for (const [key, ms] of selfTimes(profile).slice(0, top)) console.log(`${ms.toFixed(1).padStart(8)} ms  ${key}`)
  console.log('inclusive time:')
  for (const [key, ms] of inclusiveTimes(profile).slice(0, top)) console.log(`${ms.toFixed(1).padStart(8)} ms  ${key}`)
} finally {
  await page.close()
  await host.stop()
  if (temporary) await rm(userData, { recursive: true, force: true })
}
