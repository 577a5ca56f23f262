// The CLI from source, for tests that need a real process (signals, closed pipes): what bin/training-runner.js does
// with the built CLI. Two test-only conveniences, both driven by the spawning test:
// - WMS_TEST_READY_FD=<fd>: writes "ready" there once the CLI's handlers (signals, pipes) are installed;
// - WMS_TEST_RUN_ALL=1: argv is a JSON list of argument lists, run one after another in this process; the exit
//   codes are written to stderr as the last line (`codes:[…]`).
import { writeSync } from 'node:fs'
import { runCli } from '../../src/cli/main.js'

const args = process.argv.slice(2)
if (process.env.WMS_TEST_RUN_ALL === '1') {
  const codes: number[] = []
  for (const argv of JSON.parse(args[0] ?? '[]') as string[][]) codes.push(await runCli(argv))
  process.stderr.write(`\ncodes:${JSON.stringify(codes)}\n`)
} else {
  const running = runCli(args)
  const readyFd = process.env.WMS_TEST_READY_FD
  if (readyFd !== undefined) writeSync(Number(readyFd), 'ready')
  process.exitCode = await running
}
