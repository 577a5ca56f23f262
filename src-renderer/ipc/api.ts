import {
  INVOKE_CHANNELS,
  type EventChannel,
  type EventPayloadOf,
  type InvokeChannel,
  type RequestOf,
  type ResponseOf,
} from '@wms/shared/ipc/contract'
import type { Result } from '@wms/shared/result'
import type { IpcTransport } from './transport.js'
import { createElectronTransport, type PreloadBridge } from './electron-transport.js'
import { createWebTransport, resolveLaunchToken } from './web-transport.js'

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S
type DomainOf<C extends string> = C extends `${infer Domain}:${string}` ? Domain : never
type VerbOf<C extends string> = C extends `${string}:${infer Verb}` ? CamelCase<Verb> : never

/** One named, typed function per contract channel: `api.workspace.getInfo({})` for `workspace:get-info`. */
export type Api = {
  [D in DomainOf<InvokeChannel>]: {
    [C in InvokeChannel as DomainOf<C> extends D ? VerbOf<C> : never]: (
      request: RequestOf<C>,
    ) => Promise<Result<ResponseOf<C>>>
  }
} & {
  /** Subscribes to an event channel; returns the unsubscribe function. */
  on: <E extends EventChannel>(channel: E, listener: (payload: EventPayloadOf<E>) => void) => () => void
  /** URL of a media path for an `<img>` (thumbnails and full-size pictures of staged pairs). */
  mediaUrl: (mediaPath: string) => string
  /** Sends files with their request on an upload channel (`staging:add-files`). */
  upload: IpcTransport['upload']
}

const camel = (verb: string): string => verb.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())

/** Builds the named API over a transport (tests pass a fake transport). */
export function createApi(transport: IpcTransport): Api {
  const api: Record<string, Record<string, unknown>> = {}
  for (const channel of INVOKE_CHANNELS) {
    const [domain = '', verb = ''] = channel.split(':')
    api[domain] ??= {}
    api[domain][camel(verb)] = (request: RequestOf<InvokeChannel>) => transport.invoke(channel, request)
  }
  return Object.assign(api, {
    on: transport.on.bind(transport),
    mediaUrl: transport.mediaUrl.bind(transport),
    upload: transport.upload.bind(transport),
  }) as unknown as Api
}

/** Picks the transport of the host that served this page: the Electron preload, or the web host. */
export function detectTransport(): IpcTransport {
  const bridge = (window as unknown as { wms?: PreloadBridge }).wms
  if (bridge !== undefined) return createElectronTransport(bridge)
  return createWebTransport(
    resolveLaunchToken(window.location, window.sessionStorage, window.history),
    window.location.origin,
  )
}
