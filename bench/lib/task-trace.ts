import type { CdpPage } from './cdp-page.js'

/** One task that ran on the page's main thread: its wall time and the CPU time the thread spent in it. */
export interface TracedTask {
  wallMs: number
  cpuMs: number
  /** When it started, in the trace clock (microseconds; a CPU profile's sample times use the same clock). */
  startUs: number
}

interface TraceEvent {
  name: string
  ph: string
  pid: number
  tid: number
  ts: number
  dur?: number
  tdur?: number
  args?: { name?: string }
}

/**
 * Records the renderer main thread's tasks (Chromium's `RunTask` trace events) between `start()` and `stop()`.
 * The Performance API's 'longtask' entries give wall time only, which on a loaded machine (two shared cores, load
 * 8+) is the task's CPU time stretched by the time the thread waited for a core; the trace's thread duration
 * (`tdur`) is the work itself. The benches print both.
 */
export function taskTracer(page: CdpPage): { start(): Promise<void>; stop(): Promise<TracedTask[]> } {
  let events: TraceEvent[] = []
  let complete: (() => void) | null = null
  page.on('Tracing.dataCollected', (params) => {
    events.push(...(params as { value: TraceEvent[] }).value)
  })
  page.on('Tracing.tracingComplete', () => complete?.())
  return {
    start: async () => {
      events = []
      await page.send('Tracing.start', {
        transferMode: 'ReportEvents',
        traceConfig: {
          includedCategories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', '__metadata'],
        },
      })
    },
    stop: async () => {
      const done = new Promise<void>((resolve) => (complete = resolve))
      await page.send('Tracing.end')
      await done
      return mainThreadTasks(events)
    },
  }
}

// A task's trace event, as DevTools' performance panel reads it (Chromium also nests a
// 'ThreadControllerImpl::RunTask' in each: the same task twice).
const TASK_NAMES = new Set(['RunTask'])

/** The task events of the busiest `CrRendererMain` thread (the page's; others are idle frames). */
function mainThreadTasks(events: readonly TraceEvent[]): TracedTask[] {
  const mainThreads = new Set(
    events
      .filter((event) => event.ph === 'M' && event.name === 'thread_name' && event.args?.name === 'CrRendererMain')
      .map((event) => `${String(event.pid)}:${String(event.tid)}`),
  )
  const byThread = new Map<string, TracedTask[]>()
  for (const event of events) {
    const thread = `${String(event.pid)}:${String(event.tid)}`
    if (event.ph !== 'X' || !TASK_NAMES.has(event.name) || !mainThreads.has(thread)) continue
    const tasks = byThread.get(thread) ?? []
    tasks.push({ wallMs: (event.dur ?? 0) / 1000, cpuMs: (event.tdur ?? event.dur ?? 0) / 1000, startUs: event.ts })
    byThread.set(thread, tasks)
  }
  const busiest = [...byThread.entries()].sort((a, b) => total(b[1]) - total(a[1]))[0]
  if (process.env.WMS_TRACE_DEBUG !== undefined && busiest !== undefined) explainLongTasks(events, busiest[0])
  return busiest?.[1] ?? []
}

function total(tasks: readonly TracedTask[]): number {
  return tasks.reduce((sum, task) => sum + task.cpuMs, 0)
}

/** The task with the most CPU time (and its wall time), or zeros for none. */
export function longestTask(tasks: readonly TracedTask[]): TracedTask {
  return tasks.reduce((longest, task) => (task.cpuMs > longest.cpuMs ? task : longest), {
    wallMs: 0,
    cpuMs: 0,
    startUs: 0,
  })
}

/** For WMS_TRACE_DEBUG: what each task over 30 ms (CPU) spent its time on, by trace event (style, layout, script). */
function explainLongTasks(events: readonly TraceEvent[], thread: string): void {
  const onThread = events.filter((event) => event.ph === 'X' && `${String(event.pid)}:${String(event.tid)}` === thread)
  for (const task of onThread.filter((event) => TASK_NAMES.has(event.name) && (event.tdur ?? 0) > 30_000)) {
    const end = task.ts + (task.dur ?? 0)
    const parts = new Map<string, number>()
    for (const event of onThread) {
      if (event === task || event.ts < task.ts || event.ts >= end || TASK_NAMES.has(event.name)) continue
      parts.set(event.name, (parts.get(event.name) ?? 0) + (event.tdur ?? 0) / 1000)
    }
    const top = [...parts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8)
    console.log(
      `task ${((task.tdur ?? 0) / 1000).toFixed(0)} ms CPU: ${top.map(([name, ms]) => `${name} ${ms.toFixed(0)}`).join(', ')}`,
    )
  }
}
