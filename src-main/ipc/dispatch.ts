import {
  invokeChannels,
  isInvokeChannel,
  isUploadChannel,
  uploadChannels,
  type InvokeHandlers,
  type UploadedFile,
  type UploadHandlers,
} from '@wms/shared/ipc/contract'
import { filesInMemory, unpackUpload } from './upload-pack.js'
import { thrownBehind, toAppError, type AppError } from '@wms/shared/errors'
import { err, ok, type Result } from '@wms/shared/result'
import { formatSchemaIssues } from '@wms/shared/util/schema-issues'
import { FILE_TOO_LARGE_HINT, fileTooLargeMessage } from '@wms/shared/ipc/upload-limit'

/**
 * The single entry of every call from a renderer, whichever host carried it (Electron IPC or the web host).
 * Both transports call the same function, so validation and error shapes are identical by construction.
 */
export type Dispatch = (channel: unknown, payload: unknown) => Promise<Result<unknown>>

/** Options of {@link createDispatcher}. */
export interface DispatcherOptions {
  /**
   * Called with exceptions a handler threw (bugs); the caller gets an `internal` error either way. Returns where
   * the error was written down (a log file), which the error's hint then names.
   */
  onUnexpectedError?: (channel: string, thrown: unknown) => string | undefined
}

/** Builds the dispatcher: checks the channel, validates the payload, runs the handler, never throws. */
export function createDispatcher(handlers: InvokeHandlers, options: DispatcherOptions = {}): Dispatch {
  return async (channel, payload) => {
    if (!isInvokeChannel(channel)) {
      return err({
        code: 'ipc/unknown-channel',
        message: `Unknown channel ${JSON.stringify(channel)}.`,
        hint: 'The app and its services are out of sync; restart WMS Studio.',
      })
    }
    const parsed = invokeChannels[channel].request.safeParse(payload ?? {})
    if (!parsed.success) {
      return err({
        code: 'ipc/invalid-payload',
        message: `Invalid request for ${channel}:\n${formatSchemaIssues(parsed.error)}`,
        details: parsed.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })),
      })
    }
    const handler = handlers[channel] as (request: unknown) => Promise<Result<unknown>>
    return runHandler(channel, () => handler(parsed.data), options)
  }
}

// Handlers return results; an internal error among them (a handler's `attempt` caught a bug) or a throw is worth
// logging, and the user is told where the log is.
async function runHandler(
  channel: string,
  run: () => Promise<Result<unknown>>,
  options: DispatcherOptions,
): Promise<Result<unknown>> {
  let result: Result<unknown>
  try {
    result = await run()
  } catch (thrown) {
    result = err(toAppError(thrown))
  }
  if (result.ok || result.error.code !== 'internal') return result
  const error = result.error
  const where = options.onUnexpectedError?.(channel, thrownBehind(error) ?? new Error(error.message))
  const hint =
    where === undefined
      ? 'This is a bug in WMS Studio, and its log could not be written: please report it with this message.'
      : `This is a bug in WMS Studio. Please report it with the log at ${where}.`
  return err({ ...error, hint })
}

/** An upload whose channel and request passed their checks: the sizes of the bytes to read next, and the handler. */
export interface OpenedUpload {
  /** Each file's size, in the order its bytes follow the request. */
  sizes: readonly number[]
  /** Runs the channel's handler on the files; never throws. */
  run(files: UploadedFile[]): Promise<Result<unknown>>
}

/**
 * The single entry of every upload (files' bytes plus a request), whichever host carried it. A host that streams
 * (the web host) opens the upload from its request before reading any bytes, so a refused upload costs nothing;
 * a host that receives the whole pack at once (Electron IPC) hands it over in one piece.
 */
export interface DispatchUpload {
  /** Checks the channel, the request and the size limit; the bytes are not read yet. */
  open(channel: unknown, request: unknown): Result<OpenedUpload>
  /** Dispatches a whole pack (u32le header length, JSON request, files). */
  pack(channel: unknown, pack: Uint8Array): Promise<Result<unknown>>
}

/** Builds the upload dispatcher: checks the channel, validates the request and sizes, runs the handler. */
export function createUploadDispatcher(handlers: UploadHandlers, options: DispatcherOptions = {}): DispatchUpload {
  const open = (channel: unknown, request: unknown): Result<OpenedUpload> => {
    if (!isUploadChannel(channel)) {
      return err({ code: 'ipc/unknown-channel', message: `Unknown upload channel ${JSON.stringify(channel)}.` })
    }
    const spec = uploadChannels[channel]
    const parsed = spec.request.safeParse(request)
    if (!parsed.success) {
      return err({
        code: 'ipc/invalid-payload',
        message: `Invalid upload for ${channel}:\n${formatSchemaIssues(parsed.error)}`,
      })
    }
    const files: readonly { path: string; size: number }[] = parsed.data.files
    const tooLarge = files.find((file) => file.size > spec.maxFileBytes)
    if (tooLarge !== undefined) return err(fileTooLarge(tooLarge, spec.maxFileBytes))
    const handler = handlers[channel] as (request: unknown, files: UploadedFile[]) => Promise<Result<unknown>>
    return ok({
      sizes: files.map((file) => file.size),
      run: (uploaded) => runHandler(channel, () => handler(parsed.data, uploaded), options),
    })
  }
  return {
    open,
    pack: async (channel, pack) => {
      const unpacked = unpackUpload(pack)
      if (!unpacked.ok) return unpacked
      const opened = open(channel, unpacked.value.request)
      if (!opened.ok) return opened
      const files = filesInMemory(unpacked.value.body, opened.value.sizes)
      if (!files.ok) return files
      return opened.value.run(files.value)
    },
  }
}

/** The refusal of a file over the per-file limit: which file, how large, the limit, and what to do. */
export function fileTooLarge(file: { path: string; size: number }, limit: number): AppError {
  return { code: 'ipc/too-large', message: fileTooLargeMessage(file.path, file.size, limit), hint: FILE_TOO_LARGE_HINT }
}
