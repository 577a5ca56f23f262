import { eventChannels, type EventChannel, type EventPayloadOf } from '@wms/shared/ipc/contract'

/** A listener for every event channel (a transport forwarding events to its renderers). */
export type HubListener = <E extends EventChannel>(channel: E, payload: EventPayloadOf<E>) => void

/**
 * Fans main-process events out to every connected renderer (Electron windows, web host WebSockets).
 * Payloads are validated against the contract before they leave, so a renderer never sees a malformed event.
 */
export class EventHub {
  private readonly listeners = new Set<HubListener>()

  /** Registers a listener; returns its unsubscribe function. */
  subscribe(listener: HubListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Sends one event to every listener. */
  emit<E extends EventChannel>(channel: E, payload: EventPayloadOf<E>): void {
    const checked = eventChannels[channel].parse(payload) as EventPayloadOf<E>
    for (const listener of this.listeners) listener(channel, checked)
  }

  /** Number of connected listeners (tests, diagnostics). */
  get size(): number {
    return this.listeners.size
  }
}
