import type { Writable } from 'node:stream'
import type { EventSink } from '../events/event-sink.js'
import type { Interrupts } from './interrupt.js'

/** The process streams and environment a command may touch (injected, so tests run commands in-process). */
export interface CliIo {
  stdout: Writable & { isTTY?: boolean; columns?: number }
  stderr: Writable & { isTTY?: boolean; columns?: number }
  cwd: string
  env: NodeJS.ProcessEnv
}

/** What every command receives besides its own options. */
export interface CommandContext {
  io: CliIo
  /** `--json`: print the result object as JSON on stdout instead of text. */
  json: boolean
  /** Progress and step events: NDJSON on stdout (`--events ndjson`), a progress line on stderr, or nothing. */
  events: EventSink
  /** How events are rendered; with `ndjson`, stdout carries only NDJSON lines. */
  eventsFormat: 'ndjson' | 'tty' | 'none'
  /**
   * Ctrl-C for this run: commands that can stop at a step boundary opt in (see {@link Interrupts}). Absent when a
   * command is called outside the CLI's entry point (tests).
   */
  interrupts?: Interrupts
}

/** What a command returns; the CLI's one exit point turns it into output and an exit code. */
export interface CommandOutcome {
  /** 0 = success, 1 = the check or operation failed (a report says why). */
  exitCode: 0 | 1
  /** Machine-readable result (`--json`, the `done` event). */
  result: unknown
  /** Text for a person; printed when neither `--json` nor `--events ndjson` is set. */
  human: string
}
