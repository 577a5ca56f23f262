import {
  invokeChannels,
  isInvokeChannel,
  isUploadChannel,
  uploadChannels,
  type InvokeHandlers,
  type UploadHandlers,
} from '@wms/shared/ipc/contract'
import { sliceFiles, unpackUpload } from './upload-pack.js'
import { toAppError } from '@wms/shared/errors'
import { err, type Result } from '@wms/shared/result'
import { formatSchemaIssues } from '@wms/shared/util/schema-issues'

/**
 * The single entry of every call from a renderer, whichever host carried it (Electron IPC or the web host).
 * Both transports call the same function, so validation and error shapes are identical by construction.
 */
export type Dispatch = (channel: unknown, payload: unknown) => Promise<Result<unknown>>

/** Options of {@link createDispatcher}. */
export interface DispatcherOptions {
  /** Called with exceptions a handler threw (bugs); the caller gets an `internal` error either way. */
  onUnexpectedError?: (channel: string, thrown: unknown) => void
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
    try {
      const handler = handlers[channel] as (request: unknown) => Promise<Result<unknown>>
      return await handler(parsed.data)
    } catch (thrown) {
      // Handlers should return results; a throw that is not a WmsError is a bug worth logging.
      const error = toAppError(thrown)
      if (error.code === 'internal') options.onUnexpectedError?.(channel, thrown)
      return err(error)
    }
  }
}

/** The single entry of every upload (files' bytes plus a request), whichever host carried it. */
export type DispatchUpload = (channel: unknown, pack: Uint8Array) => Promise<Result<unknown>>

/** Builds the upload dispatcher: checks the channel, unpacks, validates the request, cuts the files, never throws. */
export function createUploadDispatcher(handlers: UploadHandlers, options: DispatcherOptions = {}): DispatchUpload {
  return async (channel, pack) => {
    if (!isUploadChannel(channel)) {
      return err({ code: 'ipc/unknown-channel', message: `Unknown upload channel ${JSON.stringify(channel)}.` })
    }
    const unpacked = unpackUpload(pack)
    if (!unpacked.ok) return unpacked
    const parsed = uploadChannels[channel].request.safeParse(unpacked.value.request)
    if (!parsed.success) {
      return err({
        code: 'ipc/invalid-payload',
        message: `Invalid upload for ${channel}:\n${formatSchemaIssues(parsed.error)}`,
      })
    }
    const files = sliceFiles(
      unpacked.value.body,
      parsed.data.files.map((file) => file.size),
    )
    if (!files.ok) return files
    try {
      return await handlers[channel](parsed.data, files.value)
    } catch (thrown) {
      const error = toAppError(thrown)
      if (error.code === 'internal') options.onUnexpectedError?.(channel, thrown)
      return err(error)
    }
  }
}
