import { PassThrough } from 'node:stream'
import { runCli } from '../../src/cli/main.js'

/** In-memory stdout/stderr for running the CLI in-process, and what was written to them. */
export function captureIo(cwd: string, env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const out: string[] = []
  const err: string[] = []
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString('utf8')))
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString('utf8')))
  return { io: { stdout, stderr, cwd, env }, out: () => out.join(''), err: () => err.join('') }
}

/** Runs `training-runner <argv…>` in-process in `cwd`: exit code, stdout and stderr. */
export async function runCliIn(cwd: string, argv: string[], env: NodeJS.ProcessEnv = {}) {
  const run = captureIo(cwd, env)
  const code = await runCli(argv, run.io)
  return { code, out: run.out(), err: run.err() }
}
