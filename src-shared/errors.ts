import { z } from 'zod'

/**
 * Every error code that may cross a boundary (IPC, CLI JSON output, NDJSON events).
 *
 * Codes are `area/kebab-reason`; the UI and the CLI decide what to show from the code, never from the message text.
 */
export const ERROR_CODES = [
  'internal',
  'cancelled',
  'ipc/unknown-channel',
  'ipc/invalid-payload',
  'ipc/forbidden',
  'ipc/disconnected',
  'ipc/too-large',
  'usage/invalid-arguments',
  'workspace/not-found',
  'workspace/invalid-config',
  'workspace/path-outside',
  'fs/not-found',
  'fs/access-denied',
  'fs/io',
  'git/not-a-repo',
  'git/push-rejected',
  'git/auth-failed',
  'git/offline',
  'git/failed',
  'images/unreadable',
  'images/too-large',
  'images/timeout',
  'qa/failed',
  'storage/access-denied',
  'storage/not-found',
  'storage/integrity',
  'storage/conflict',
  'storage/unavailable',
  'dataset/collision',
  'dataset/invalid-manifest',
  'dataset/invalid-replacements',
  'dataset/missing-files',
  'dataset/unpaired-files',
  'dataset/link-outside',
  'training/backend-unavailable',
  'training/out-of-memory',
  'training/failed',
  'tracking/unavailable',
  'tracking/not-found',
  'tracking/invalid',
  'tracking/auth-failed',
  'tracking/already-exists',
  'tracking/unsupported',
  'tracking/corrupt',
  'gate/baseline-unavailable',
  'gate/failed',
  'promote/not-gated',
  'promote/production-moved',
  'promote/locked',
  'pipeline/locked',
  'pipeline/refused',
  // GitHub (issue 16): the adapter's calls, each naming what the user can do.
  'github/auth-failed',
  'github/permission-denied',
  'github/not-found',
  'github/rate-limited',
  'github/unavailable',
  'github/rejected',
  // Settings (issue 17): switching workspace, the secret store, accounts.
  'workspace/busy',
  'workspace/exists',
  'secrets/unavailable',
  'secrets/unreadable',
  'accounts/rejected',
  'accounts/not-configured',
] as const

/** A stable, machine-readable error code (see {@link ERROR_CODES}). */
export type ErrorCode = (typeof ERROR_CODES)[number]

/** Runtime schema of an error as it crosses a boundary. */
export const AppErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  /** What the user can do about it, in one sentence. */
  hint: z.string().optional(),
  /** True when trying the same thing again later may succeed (network, busy server). */
  retryable: z.boolean().optional(),
  details: z.unknown().optional(),
})

/** An error as data: what happened, what to do, and whether retrying can help. */
export type AppError = z.infer<typeof AppErrorSchema>

/**
 * An exception that carries an {@link AppError}.
 *
 * Library code throws it; boundaries (IPC dispatch, CLI exit point) turn it back into data with {@link toAppError}.
 */
export class WmsError extends Error {
  readonly code: ErrorCode
  readonly hint: string | undefined
  readonly retryable: boolean | undefined
  readonly details: unknown

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; retryable?: boolean; details?: unknown; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'WmsError'
    this.code = code
    this.hint = options.hint
    this.retryable = options.retryable
    this.details = options.details
  }

  /** The error as plain data, safe to serialise. */
  toAppError(): AppError {
    const error: AppError = { code: this.code, message: this.message }
    if (this.hint !== undefined) error.hint = this.hint
    if (this.retryable !== undefined) error.retryable = this.retryable
    if (this.details !== undefined) error.details = this.details
    return error
  }
}

/**
 * Converts anything thrown into an {@link AppError}; unknown exceptions become `internal`. An internal error keeps
 * what was thrown as a non-enumerable `thrown` property: it never crosses a boundary (JSON and structured clone
 * skip it), but the boundary can log its stack (see {@link thrownBehind}).
 */
export function toAppError(thrown: unknown): AppError {
  if (thrown instanceof WmsError) return thrown.toAppError()
  const message = thrown instanceof Error ? thrown.message : String(thrown)
  const error: AppError = {
    code: 'internal',
    message: `Unexpected error: ${message}`,
    hint: 'This is a bug in WMS Studio. Please report it with the log.',
  }
  Object.defineProperty(error, 'thrown', { value: thrown, enumerable: false })
  return error
}

/** What was thrown behind an internal error made by {@link toAppError}, for the log; `undefined` otherwise. */
export function thrownBehind(error: AppError): unknown {
  return (error as { thrown?: unknown }).thrown
}
