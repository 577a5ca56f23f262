import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { Command, CommanderError, Option } from 'commander'
import { toAppError, WmsError } from '@wms/shared/errors'
import { nullSink, ndjsonSink, stamp, type EventSink } from '../events/event-sink.js'
import { ttySink } from '../events/tty-sink.js'
import { toNdjsonLine } from '@wms/shared/pipeline/events'
import { printableLines } from '@wms/shared/util/printable'
import { RUNNER_VERSION } from '../version.js'
import { explainSystemError } from '../fs/system-error.js'
import type { CliIo, CommandContext, CommandOutcome } from './context.js'
import { registerCommands } from './commands.js'
import { EXIT_INTERRUPTED, watchInterrupts, type Interrupts } from './interrupt.js'

/** Exit codes: 0 success, 1 a check or operation failed, 2 usage error, 130 stopped by Ctrl-C. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: EXIT_INTERRUPTED } as const

interface GlobalOptions {
  json?: boolean
  jsonOut?: string
  events?: 'ndjson' | 'tty' | 'none'
  debug?: boolean
}

function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env }
}

/**
 * A reader that goes away (`training-runner data status | head`) closes the pipe: the rest of the output has nowhere
 * to go, and that is no error. The command still finishes what it started (a merge half-done would be worse).
 */
function ignoreClosedPipes(io: CliIo): void {
  for (const stream of [io.stdout, io.stderr]) {
    // Installed once per stream and kept: the error of the last write is emitted after the command has returned.
    if (guarded.has(stream)) continue
    guarded.add(stream)
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error
    })
  }
}
const guarded = new WeakSet()

/**
 * Runs the CLI and returns its exit code. This is the only place that decides exit codes and prints errors;
 * the bin script sets `process.exitCode` from it.
 */
export async function runCli(givenArgv: string[], io: CliIo = processIo()): Promise<number> {
  ignoreClosedPipes(io)
  const interrupts = watchInterrupts(io.stderr)
  try {
    return await runProgram(givenArgv, io, interrupts)
  } finally {
    interrupts.dispose()
  }
}

async function runProgram(givenArgv: string[], io: CliIo, interrupts: Interrupts): Promise<number> {
  const argv = jsonFileForm(givenArgv)
  let outcome: CommandOutcome | undefined
  let context: CommandContext | undefined
  const program = new Command('training-runner')
    .description(
      'WMS Studio runner: dataset QA, DVC-compatible versioning, U-Net training, tracking, gate and promotion.',
    )
    .version(RUNNER_VERSION, '-v, --version', 'print the version')
    .addOption(new Option('--json', 'print the result as JSON on stdout (`--json <file>.json`: write it to that file)'))
    .addOption(new Option('--json-out <file>', 'write the result as JSON to <file> and print the text as usual'))
    .addOption(new Option('--debug', 'print the stack trace of an unexpected error'))
    .addOption(
      new Option('--events <format>', 'progress events: ndjson on stdout, a progress line (tty), or none').choices([
        'ndjson',
        'tty',
        'none',
      ]),
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })

  const makeContext = (): CommandContext => {
    const globals = program.opts<GlobalOptions>()
    const eventsFormat = chooseFormat(globals)
    context = {
      io,
      json: globals.json === true,
      events: sinkFor(eventsFormat, io),
      eventsFormat,
      interrupts,
    }
    return context
  }
  registerCommands(program, makeContext, (result) => {
    outcome = result
  })

  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (thrown) {
    if (thrown instanceof CommanderError) {
      // Help and version print and end with 0; everything else commander throws is a usage error.
      return thrown.exitCode === 0 ? EXIT.ok : EXIT.usage
    }
    return reportFailure(thrown, io, context, program.opts<GlobalOptions>().debug === true)
  }
  if (outcome === undefined) {
    // No subcommand: show help rather than doing nothing silently.
    io.stderr.write(program.helpInformation())
    return EXIT.usage
  }
  const { jsonOut } = program.opts<GlobalOptions>()
  if (jsonOut !== undefined) {
    try {
      const file = path.resolve(io.cwd, jsonOut)
      await mkdir(path.dirname(file), { recursive: true })
      await writeFile(file, `${JSON.stringify(outcome.result, null, 2)}\n`)
    } catch (thrown) {
      return reportFailure(thrown, io, context, program.opts<GlobalOptions>().debug === true)
    }
  }
  printOutcome(outcome, io, context)
  if (jsonOut !== undefined && context?.json !== true && !isNdjson(context))
    io.stdout.write(`JSON          ${jsonOut}\n`)
  return outcome.exitCode
}

/**
 * `--json out.json` (a value ending in .json right after the flag) means "write the result there"; a bare `--json`
 * keeps meaning "print it". Only that form is rewritten, so `--json qa data` still reads as flag, command, input.
 */
// `--json out.json`, and the text-like names a person may give for the result (`--json result.txt`): never an input.
const RESULT_FILE = /\.(json|txt|log|out|jsonl|ndjson)$/i

function jsonFileForm(argv: readonly string[]): string[] {
  const out: string[] = []
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? ''
    const next = argv[index + 1]
    if (arg === '--json' && next !== undefined && RESULT_FILE.test(next) && !next.startsWith('-')) {
      out.push('--json-out', next)
      index += 1
    } else if (arg.startsWith('--json=')) out.push('--json-out', arg.slice('--json='.length))
    else out.push(arg)
  }
  return out
}

function chooseFormat(globals: GlobalOptions): CommandContext['eventsFormat'] {
  return globals.events ?? (globals.json === true ? 'none' : 'tty')
}

function sinkFor(format: CommandContext['eventsFormat'], io: CliIo): EventSink {
  if (format === 'ndjson') return ndjsonSink(io.stdout)
  if (format === 'tty') return ttySink(io.stderr)
  return nullSink
}

const isNdjson = (context: CommandContext | undefined): boolean => context?.eventsFormat === 'ndjson'

function printOutcome(outcome: CommandOutcome, io: CliIo, context: CommandContext | undefined): void {
  if (isNdjson(context)) {
    io.stdout.write(
      toNdjsonLine(
        stamp({ type: 'done', status: outcome.exitCode === 0 ? 'ok' : 'failed', seconds: 0, result: outcome.result }),
      ),
    )
    return
  }
  if (context?.json === true) {
    io.stdout.write(`${JSON.stringify(outcome.result, null, 2)}\n`)
    return
  }
  // Names in the text come from disks and branches: control characters are shown, never sent to the terminal.
  const human = printableLines(outcome.human)
  if (human !== '') io.stdout.write(human.endsWith('\n') ? human : `${human}\n`)
}

function reportFailure(thrown: unknown, io: CliIo, context: CommandContext | undefined, debug: boolean): number {
  const error = toAppError(explainSystemError(thrown) ?? thrown)
  const usage = error.code === 'usage/invalid-arguments'
  if (isNdjson(context)) {
    io.stdout.write(toNdjsonLine(stamp({ type: 'error', error })))
    io.stdout.write(toNdjsonLine(stamp({ type: 'done', status: 'failed', seconds: 0 })))
  } else if (context?.json === true) {
    io.stdout.write(`${JSON.stringify({ error }, null, 2)}\n`)
  } else {
    io.stderr.write(`error: ${printableLines(error.message)}\n`)
    if (error.hint !== undefined) io.stderr.write(`  → ${printableLines(error.hint)}\n`)
    if (thrown instanceof Error && thrown.stack !== undefined) {
      if (debug) io.stderr.write(`${thrown.stack}\n`)
      else if (error.code === 'internal') io.stderr.write('  (run again with --debug for the stack trace)\n')
    }
  }
  if (error.code === 'cancelled') return EXIT.interrupted
  if (!(thrown instanceof WmsError) && error.code === 'internal') return EXIT.failed
  return usage ? EXIT.usage : EXIT.failed
}
