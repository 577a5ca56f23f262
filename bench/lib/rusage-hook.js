// Preloaded into a measured command (`node --import ./bench/lib/rusage-hook.js …`): on exit, writes the process's
// own CPU time, peak memory and page faults as JSON to the file named by WMS_BENCH_RUSAGE. Plain JavaScript with no
// imports beyond node:fs, so it adds nothing measurable to the process it measures.
import { writeFileSync } from 'node:fs'

const target = process.env.WMS_BENCH_RUSAGE
if (target !== undefined && target !== '') {
  process.on('exit', () => {
    const usage = process.resourceUsage()
    writeFileSync(
      target,
      JSON.stringify({
        userSeconds: usage.userCPUTime / 1e6,
        systemSeconds: usage.systemCPUTime / 1e6,
        maxRssMb: usage.maxRSS / 1024,
        minorFaults: usage.minorPageFault,
        majorFaults: usage.majorPageFault,
      }),
    )
  })
}
