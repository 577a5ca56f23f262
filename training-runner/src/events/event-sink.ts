import type { Writable } from 'node:stream'
import { toNdjsonLine, type PipelineEvent, type PipelineEventInput } from '@wms/shared/pipeline/events'

/**
 * Where a long operation reports what it is doing. The library emits typed pipeline events; the CLI turns
 * them into NDJSON (for the app and CI) or a progress line (for a terminal), the app forwards them to the UI.
 */
export interface EventSink {
  emit(event: PipelineEventInput): void
}

/** Stamps an event with the current time. */
export function stamp(event: PipelineEventInput, now = Date.now()): PipelineEvent {
  return { ...event, at: now }
}

/** A sink that drops everything (library calls that nobody watches). */
export const nullSink: EventSink = { emit: () => undefined }

/** Writes one NDJSON line per event to `stream`. */
export function ndjsonSink(stream: Writable): EventSink {
  return { emit: (event) => stream.write(toNdjsonLine(stamp(event))) }
}

/** Calls `listener` with each stamped event (the app's in-process use). */
export function callbackSink(listener: (event: PipelineEvent) => void): EventSink {
  return { emit: (event) => listener(stamp(event)) }
}

/** Sends each event to every sink. */
export function teeSink(...sinks: EventSink[]): EventSink {
  return {
    emit: (event) => {
      for (const sink of sinks) sink.emit(event)
    },
  }
}

/** Keeps every event in memory (tests, summaries). */
export function collectingSink(): EventSink & { events: PipelineEvent[] } {
  const events: PipelineEvent[] = []
  return { events, emit: (event) => events.push(stamp(event)) }
}
