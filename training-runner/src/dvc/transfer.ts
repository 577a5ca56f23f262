import type { PipelineStep } from '@wms/shared/pipeline/events'
import { forEachBounded } from '../adapters/storage/bounded-parallel.js'
import { checkPresent, statObjects, type ObjectSource, type RemoteStore } from '../adapters/storage/remote-store.js'
import { nullSink, type EventSink } from '../events/event-sink.js'

/** One object to push: its hash and where its bytes are. */
export interface PushItem {
  hash: string
  source: ObjectSource
}

/** One object to pull: its hash and the file to create. */
export interface PullItem {
  hash: string
  destination: string
  /** Expected size, for the progress total. */
  size?: number
}

/** What a transfer did. */
export interface TransferReport {
  /** Distinct objects asked for. */
  objects: number
  /** Objects the remote already had (nothing sent). */
  present: number
  /** Objects sent or received. */
  transferred: number
  /** Payload bytes sent or received. */
  bytes: number
  seconds: number
}

/** Where transfer progress goes. */
export interface TransferProgressOptions {
  events?: EventSink
  /** Step the progress events belong to (`push` by default). */
  step?: PipelineStep
  signal?: AbortSignal
}

/**
 * Uploads the objects the remote lacks: one batched existence check (bounded parallel), then uploads of only the
 * missing ones, bounded parallel, with `objects` then `bytes` progress events (with ETA). An object the remote
 * holds with another size stops the push with `storage/conflict`; nothing is overwritten.
 */
export async function pushObjects(
  store: RemoteStore,
  items: readonly PushItem[],
  options: TransferProgressOptions = {},
): Promise<TransferReport> {
  const started = Date.now()
  const unique = [...new Map(items.map((item) => [item.hash, item])).values()]
  const progress = progressReporter(options, 'objects', unique.length, 'checking the remote')
  const found = await statObjects(
    store,
    unique.map((item) => item.hash),
    { ...signalOf(options), onChecked: (checked) => progress.set(checked) },
  )
  progress.finish()
  const missing: PushItem[] = []
  for (const item of unique) {
    const present = found.get(item.hash)
    if (present === undefined) missing.push(item)
    else checkPresent(item.hash, present, sizeOf(item.source), store.display)
  }
  const total = missing.reduce((sum, item) => sum + sizeOf(item.source), 0)
  const bytes = progressReporter(options, 'bytes', total, `uploading ${String(missing.length)} objects`)
  await forEachBounded(missing, store.concurrency, async (item) => {
    await store.put(item.hash, item.source, { ...signalOf(options), knownAbsent: true, onBytes: (n) => bytes.add(n) })
  })
  bytes.finish()
  return {
    objects: unique.length,
    present: unique.length - missing.length,
    transferred: missing.length,
    bytes: total,
    seconds: (Date.now() - started) / 1000,
  }
}

/** Downloads objects to their destinations (verified, through temporary files), bounded parallel, with progress. */
export async function pullObjects(
  store: RemoteStore,
  items: readonly PullItem[],
  options: TransferProgressOptions = {},
): Promise<TransferReport> {
  const started = Date.now()
  const total = items.reduce((sum, item) => sum + (item.size ?? 0), 0)
  const bytes = progressReporter(options, 'bytes', total, `downloading ${String(items.length)} files`)
  let received = 0
  await forEachBounded(items, store.concurrency, async (item) => {
    await store.download(item.hash, item.destination, {
      ...signalOf(options),
      onBytes: (n) => {
        received += n
        bytes.add(n)
      },
    })
  })
  bytes.finish()
  return {
    objects: items.length,
    present: 0,
    transferred: items.length,
    bytes: received,
    seconds: (Date.now() - started) / 1000,
  }
}

function sizeOf(source: ObjectSource): number {
  return source.kind === 'file' ? source.size : source.bytes.length
}

function signalOf(options: TransferProgressOptions): { signal?: AbortSignal } {
  return options.signal === undefined ? {} : { signal: options.signal }
}

const EMIT_EVERY_MS = 250

/** Throttled `progress` events with an ETA from the average rate so far. */
function progressReporter(
  options: TransferProgressOptions,
  unit: 'bytes' | 'objects',
  total: number,
  message: string,
): { add(n: number): void; set(done: number): void; finish(): void } {
  const events = options.events ?? nullSink
  const step = options.step ?? 'push'
  const started = Date.now()
  let done = 0
  let lastEmit = 0
  const emit = (force: boolean): void => {
    const now = Date.now()
    if (!force && now - lastEmit < EMIT_EVERY_MS) return
    lastEmit = now
    const elapsed = (now - started) / 1000
    const eta = done > 0 && elapsed > 0 && total >= done ? ((total - done) * elapsed) / done : undefined
    events.emit({
      type: 'progress',
      step,
      done,
      total,
      unit,
      message,
      ...(eta === undefined ? {} : { etaSeconds: Math.round(eta * 10) / 10 }),
    })
  }
  if (total > 0) emit(true)
  return {
    add: (n) => {
      done += n
      emit(false)
    },
    set: (value) => {
      done = value
      emit(false)
    },
    finish: () => {
      if (total > 0) {
        done = total
        emit(true)
      }
    },
  }
}
