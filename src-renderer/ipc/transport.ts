import type {
  EventChannel,
  EventPayloadOf,
  InvokeChannel,
  RequestOf,
  ResponseOf,
  UploadChannel,
  UploadRequestOf,
  UploadResponseOf,
} from '@wms/shared/ipc/contract'
import type { Result } from '@wms/shared/result'

/**
 * How a renderer reaches the services, whichever host serves it.
 *
 * `invoke` never rejects: transport failures come back as a failed {@link Result}.
 */
export interface IpcTransport {
  invoke<C extends InvokeChannel>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>>
  on<E extends EventChannel>(channel: E, listener: (payload: EventPayloadOf<E>) => void): () => void
  /** URL of a media path (`pairs/<id>/image-thumb`) for an `<img>`: HTTP on the web host, a custom scheme in Electron. */
  mediaUrl(mediaPath: string): string
  /** Sends files' bytes (already read, in the request's order) with their request on an upload channel. */
  upload<C extends UploadChannel>(
    channel: C,
    request: UploadRequestOf<C>,
    contents: readonly ArrayBuffer[],
  ): Promise<Result<UploadResponseOf<C>>>
}
