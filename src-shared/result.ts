import { z } from 'zod'
import { AppErrorSchema, toAppError, type AppError } from './errors.js'

/**
 * The envelope of every call that crosses a process boundary: a value, or an error as data.
 *
 * Exceptions never cross IPC or the web host; handlers return a `Result` and callers branch on `ok`.
 */
export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError }

/** Wraps a value in a successful {@link Result}. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value }
}

/** Wraps an error in a failed {@link Result}. */
export function err<T = never>(error: AppError): Result<T> {
  return { ok: false, error }
}

/** Runs `fn` and turns a throw into a failed {@link Result}. */
export async function attempt<T>(fn: () => Promise<T>): Promise<Result<T>> {
  try {
    return ok(await fn())
  } catch (thrown) {
    return err(toAppError(thrown))
  }
}

/** Runtime schema of a {@link Result} whose value matches `value`. */
export function resultSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: AppErrorSchema }),
  ])
}
