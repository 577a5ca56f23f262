import { z } from 'zod'
import { WorkspaceConfigSchema } from '../config/workspace-config.js'
import { PipelineEventSchema } from '../pipeline/events.js'
import type { Result } from '../result.js'
import { WorkspaceInfoSchema } from '../workspace/workspace-info.js'

/**
 * The one IPC contract between the renderer and the main-process services.
 *
 * Both hosts implement it: Electron (preload + `ipcMain.handle`) and the web host (HTTP POST for calls, WebSocket
 * for events). Channel names are `domain:verb`. Main validates every request against its schema before a handler
 * runs; handlers answer with a {@link Result}, never by throwing.
 */

/** A request/response channel: the request schema main validates, and the response schema. */
export interface InvokeChannelSpec<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  request: Req
  response: Res
}

function channel<Req extends z.ZodType, Res extends z.ZodType>(
  request: Req,
  response: Res,
): InvokeChannelSpec<Req, Res> {
  return { request, response }
}

const NoRequest = z.object({}).strict()

/** Name, version and host of the running app. */
export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  host: z.enum(['electron', 'web']),
  platform: z.string(),
  versions: z.object({ node: z.string(), electron: z.string().nullable(), chrome: z.string().nullable() }),
})

/** What `app:get-info` returns. */
export type AppInfo = z.infer<typeof AppInfoSchema>

/** Request/response channels. */
export const invokeChannels = {
  /** Name, version and host (Electron or web) of the running app. */
  'app:get-info': channel(NoRequest, AppInfoSchema),
  /** The open workspace: repository, branch, git remotes, DVC remote, tracking, pipeline runner. */
  'workspace:get-info': channel(NoRequest, WorkspaceInfoSchema),
  /** The workspace's parsed `wms.config.json`, defaults applied. */
  'workspace:get-config': channel(NoRequest, WorkspaceConfigSchema),
} as const satisfies Record<string, InvokeChannelSpec>

/** Main → renderer event channels and their payload schemas. */
export const eventChannels = {
  /** A pipeline event (QA, merge, training, gate, …) from the runner or the local pipeline. */
  'pipeline:event': PipelineEventSchema,
} as const satisfies Record<string, z.ZodType>

/** A request/response channel name. */
export type InvokeChannel = keyof typeof invokeChannels

/** An event channel name. */
export type EventChannel = keyof typeof eventChannels

/** The request a caller passes on channel `C` (before schema defaults). */
export type RequestOf<C extends InvokeChannel> = z.input<(typeof invokeChannels)[C]['request']>

/** The request a handler receives on channel `C` (after validation and defaults). */
export type ParsedRequestOf<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['request']>

/** The value channel `C` answers with. */
export type ResponseOf<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['response']>

/** The payload of event channel `E`. */
export type EventPayloadOf<E extends EventChannel> = z.output<(typeof eventChannels)[E]>

/** Every request/response channel, for allow-lists in the preload and the web host. */
export const INVOKE_CHANNELS = Object.keys(invokeChannels) as InvokeChannel[]

/** Every event channel. */
export const EVENT_CHANNELS = Object.keys(eventChannels) as EventChannel[]

/** True when `name` is a request/response channel of the contract. */
export function isInvokeChannel(name: unknown): name is InvokeChannel {
  return typeof name === 'string' && Object.hasOwn(invokeChannels, name)
}

/** True when `name` is an event channel of the contract. */
export function isEventChannel(name: unknown): name is EventChannel {
  return typeof name === 'string' && Object.hasOwn(eventChannels, name)
}

/** The main-process side of the contract: exactly one handler per channel (the compiler checks completeness). */
export type InvokeHandlers = {
  [C in InvokeChannel]: (request: ParsedRequestOf<C>) => Promise<Result<ResponseOf<C>>>
}

/**
 * How a renderer reaches the services, whichever host serves it.
 *
 * `invoke` never rejects: transport failures come back as a failed {@link Result}.
 */
export interface IpcTransport {
  invoke<C extends InvokeChannel>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>>
  on<E extends EventChannel>(channel: E, listener: (payload: EventPayloadOf<E>) => void): () => void
}

/** Name of the single Electron IPC channel used for invocations (the contract channel travels in the payload). */
export const ELECTRON_INVOKE_CHANNEL = 'wms:invoke'

/** Name of the single Electron IPC channel main pushes events on. */
export const ELECTRON_EVENT_CHANNEL = 'wms:event'
