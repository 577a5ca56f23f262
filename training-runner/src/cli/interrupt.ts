import type { Writable } from 'node:stream'

/** Exit code of a command stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const
type StopSignal = keyof typeof SIGNAL_EXIT

/**
 * Ctrl-C (and SIGTERM, which the app sends to a child) for one CLI run.
 *
 * A command that can stop cleanly opts in with {@link Interrupts.signal}: the first Ctrl-C is acknowledged at once
 * and aborts the signal, and the command stops at its next step boundary. A command that did not opt in, or a second
 * Ctrl-C, stops the process now — after running the synchronous cleanups registered with
 * {@link Interrupts.onForcedStop} (so nothing half-made is left behind) — with exit code 130 (143 for SIGTERM).
 */
export interface Interrupts {
  /** Opts the running command in to cooperative stopping; `acknowledge` is printed when the first Ctrl-C arrives. */
  signal(acknowledge: string): AbortSignal
  /** Registers a synchronous cleanup for a forced stop; returns its removal. */
  onForcedStop(cleanup: () => void): () => void
  /** Removes the process handlers (the run is over). */
  dispose(): void
}

/** Installs the handlers for one run; `stderr` receives the acknowledgement. */
export function watchInterrupts(
  stderr: Writable,
  exit: (code: number) => void = (code) => process.exit(code),
): Interrupts {
  let controller: AbortController | undefined
  let acknowledgement = ''
  const cleanups = new Set<() => void>()

  const forceStop = (signal: StopSignal): void => {
    for (const cleanup of cleanups) {
      try {
        cleanup()
      } catch {
        // A cleanup that fails must not keep the process from stopping; the next run removes what is left.
      }
    }
    safeWrite(stderr, '\nStopped.\n')
    exit(SIGNAL_EXIT[signal])
  }
  const handle = (signal: StopSignal): void => {
    if (controller === undefined || controller.signal.aborted) {
      forceStop(signal)
      return
    }
    safeWrite(stderr, `\n${acknowledgement} (press Ctrl-C again to stop now)\n`)
    controller.abort()
  }
  const onInt = (): void => handle('SIGINT')
  const onTerm = (): void => handle('SIGTERM')
  process.on('SIGINT', onInt)
  process.on('SIGTERM', onTerm)

  return {
    signal(acknowledge) {
      acknowledgement = acknowledge
      controller ??= new AbortController()
      return controller.signal
    },
    onForcedStop(cleanup) {
      cleanups.add(cleanup)
      return () => cleanups.delete(cleanup)
    },
    dispose() {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
    },
  }
}

// The acknowledgement must never throw (a closed stderr would turn Ctrl-C into a crash).
function safeWrite(stream: Writable, text: string): void {
  try {
    if (!stream.destroyed) stream.write(text)
  } catch {
    // Nothing to tell the user on a closed stream.
  }
}
