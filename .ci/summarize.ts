import { existsSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

/**
 * Sums the test reports of one CI run (Vitest and Playwright JSON) into the single `N passed, N failed` line
 * CI reads, and fails the run when `npm test` failed outside the suites (typecheck, lint, format, build).
 */
const { values } = parseArgs({
  options: { status: { type: 'string', default: '0' }, seconds: { type: 'string', default: '0' } },
})
const status = Number(values.status)

interface Counts {
  passed: number
  failed: number
  skipped: number
}

function vitest(file: string): Counts | undefined {
  if (!existsSync(file)) return undefined
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    numPassedTests: number
    numFailedTests: number
    numPendingTests: number
    numTodoTests: number
  }
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests,
    skipped: report.numPendingTests + report.numTodoTests,
  }
}

interface PlaywrightSuite {
  specs?: { title: string; tests: { status: string; annotations: { type: string; description?: string }[] }[] }[]
  suites?: PlaywrightSuite[]
}

// Skipped specs say why (e.g. no Electron binary on this machine), so the reason shows in the CI log.
function printSkipReasons(suite: PlaywrightSuite): void {
  for (const spec of suite.specs ?? []) {
    for (const result of spec.tests) {
      const reason = result.annotations.find((annotation) => annotation.type === 'skip')?.description
      if (result.status === 'skipped') console.log(`  skipped: ${spec.title} — ${reason ?? 'no reason given'}`)
    }
  }
  for (const child of suite.suites ?? []) printSkipReasons(child)
}

function playwright(file: string): Counts | undefined {
  if (!existsSync(file)) return undefined
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    stats: { expected: number; unexpected: number; flaky: number; skipped: number }
    suites: PlaywrightSuite[]
  }
  for (const suite of report.suites) printSkipReasons(suite)
  return {
    passed: report.stats.expected + report.stats.flaky,
    failed: report.stats.unexpected,
    skipped: report.stats.skipped,
  }
}

const suites: [string, Counts | undefined][] = [
  ['unit (vitest)', vitest('test-results/vitest.json')],
  ['e2e (playwright)', playwright('test-results/playwright.json')],
]
const total: Counts = { passed: 0, failed: 0, skipped: 0 }
for (const [name, counts] of suites) {
  if (counts === undefined) {
    console.log(`${name}: did not run`)
    continue
  }
  console.log(
    `${name}: ${String(counts.passed)} passed, ${String(counts.failed)} failed, ${String(counts.skipped)} skipped`,
  )
  total.passed += counts.passed
  total.failed += counts.failed
  total.skipped += counts.skipped
}
if (status !== 0 && total.failed === 0) {
  // A step without a test report failed (typecheck, lint, format, actionlint, build, or a suite that could not start).
  console.log('npm test failed outside the test suites: see the log above')
  total.failed += 1
}
console.log(`CI took ${values.seconds} s`)
console.log(`${String(total.passed)} passed, ${String(total.failed)} failed`)
process.exitCode = status !== 0 || total.failed > 0 ? 1 : 0
