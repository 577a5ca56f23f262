import type { AppError } from '@wms/shared/errors'
import type { Result } from '@wms/shared/result'

/** Data the UI fetches: not asked yet, on its way, here, or failed with a reason. */
export type Loadable<T> =
  { status: 'idle' } | { status: 'loading' } | { status: 'ready'; value: T } | { status: 'error'; error: AppError }

/** Turns a Result into a settled Loadable. */
export function fromResult<T>(result: Result<T>): Loadable<T> {
  return result.ok ? { status: 'ready', value: result.value } : { status: 'error', error: result.error }
}

/** The initial state of every Loadable. */
export const idle = { status: 'idle' } as const
