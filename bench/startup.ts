import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { median, row } from './lib/stats.js'

/**
 * Web host start-up: from process spawn to "ready" (the URL printed) — on first start (the demo workspace is
 * created) and on later starts — against a bare `node -e ""` start in the same run as the baseline.
 * Run: npm run build && npx tsx bench/startup.ts [runs]
 */
const root = path.resolve(import.meta.dirname, '..')
const runs = Number(process.argv[2] ?? 5)

function timeUntil(args: string[], env: NodeJS.ProcessEnv, readyPattern: RegExp | null): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8')
      if (readyPattern?.test(output) === true) {
        resolve(performance.now() - started)
        child.kill('SIGTERM')
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('exit', (code) => {
      if (readyPattern === null) resolve(performance.now() - started)
      else if (!readyPattern.test(output)) reject(new Error(`exited with ${String(code)} before ready:\n${output}`))
    })
  })
}

const entry = path.join(root, 'out/main/web-host.js')
const bare: number[] = []
const first: number[] = []
const later: number[] = []
for (let i = 0; i < runs; i += 1) {
  const userData = await mkdtemp(path.join(os.tmpdir(), 'wms-bench-start-'))
  const env = { ...process.env, WMS_USER_DATA: userData, WMS_WORKSPACE: '' }
  bare.push(await timeUntil(['-e', ''], env, null))
  first.push(await timeUntil([entry], env, /Ready in \d+ ms/))
  later.push(await timeUntil([entry], env, /Ready in \d+ ms/))
  await rm(userData, { recursive: true, force: true })
}

const widths = [44, 12, 12]
console.log(`Web host start-up, ${String(runs)} runs each (median), ${String(os.cpus().length)} cores`)
console.log(row(['', 'ms', 'vs node'], widths))
console.log(row(['node -e "" (baseline)', median(bare).toFixed(0), '1.0×'], widths))
console.log(
  row(
    [
      'web host, first start (creates the demo)',
      median(first).toFixed(0),
      `${(median(first) / median(bare)).toFixed(1)}×`,
    ],
    widths,
  ),
)
console.log(
  row(['web host, later starts', median(later).toFixed(0), `${(median(later) / median(bare)).toFixed(1)}×`], widths),
)
