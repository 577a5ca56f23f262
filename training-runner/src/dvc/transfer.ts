import { WmsError } from '@wms/shared/errors'
import type { PipelineStep } from '@wms/shared/pipeline/events'
import { forEachBounded } from '../adapters/storage/bounded-parallel.js'
import {
  describeDamage,
  isDamaged,
  REPAIR_COMMAND,
  statObjects,
  type ObjectSource,
  type RemoteObjectInfo,
  type RemoteStore,
} from '../adapters/storage/remote-store.js'
import { nullSink, type EventSink } from '../events/event-sink.js'

/** One object to push: its hash and where its bytes are. */
export interface PushItem {
  hash: string
  source: ObjectSource
  /** The file for people (`images/a.jpg`), named in errors instead of the hash. */
  label?: string
}

/** One object to pull: its hash and the file to create. */
export interface PullItem {
  hash: string
  destination: string
  /** Expected size, for the progress total. */
  size?: number
  /** The file for people (`images/a.jpg`), named in errors instead of the hash. */
  label?: string
}

/** What a transfer did. */
export interface TransferReport {
  /** Distinct objects asked for. */
  objects: number
  /** Objects the remote already had (nothing sent) — including ones another push stored meanwhile. */
  present: number
  /** Objects sent or received by this run. */
  transferred: number
  /** Damaged objects in the remote replaced by good copies (`repair`). */
  repaired: number
  /** Payload bytes sent or received by this run. */
  bytes: number
  seconds: number
}

/** Where transfer progress goes. */
export interface TransferProgressOptions {
  events?: EventSink
  /** Step the progress events belong to (`push` by default). */
  step?: PipelineStep
  signal?: AbortSignal
  /** Replace damaged remote objects (truncated, corrupted) with the verified local copies. */
  repair?: boolean
  /** Called after each object is stored (interrupt reports: how far a push got). */
  onStored?: (report: TransferReport) => void
  /** Where downloads keep their temporary files (outside the dataset folders). */
  temporaryDir?: string
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
    { ...signalOf(options), forWrite: true, onChecked: (checked) => progress.set(checked) },
  )
  progress.finish()
  const missing: PushItem[] = []
  const damaged: { item: PushItem; present: RemoteObjectInfo }[] = []
  for (const item of unique) {
    const present = found.get(item.hash)
    if (present === undefined) missing.push(item)
    else if (isDamaged(item.hash, present, sizeOf(item.source))) damaged.push({ item, present })
  }
  // A damaged object does not stop the others: they are stored first, then the damage is reported (or repaired).
  const toSend = options.repair === true ? [...missing, ...damaged.map(({ item }) => item)] : missing
  const total = toSend.reduce((sum, item) => sum + sizeOf(item.source), 0)
  const bytes = progressReporter(options, 'bytes', total, `uploading ${String(toSend.length)} objects`)
  const report: TransferReport = {
    objects: unique.length,
    present: unique.length - missing.length - damaged.length,
    transferred: 0,
    repaired: 0,
    bytes: 0,
    seconds: 0,
  }
  await forEachBounded(toSend, store.concurrency, async (item) => {
    const outcome = await store.put(item.hash, item.source, {
      ...signalOf(options),
      knownAbsent: found.get(item.hash) === undefined,
      repair: options.repair === true,
      onBytes: (n) => bytes.add(n),
    })
    if (outcome === 'present') report.present += 1
    else {
      report[outcome === 'repaired' ? 'repaired' : 'transferred'] += 1
      report.bytes += sizeOf(item.source)
    }
    options.onStored?.(report)
  })
  bytes.finish()
  report.seconds = (Date.now() - started) / 1000
  if (options.repair !== true && damaged.length > 0) throw damagedObjects(store, damaged, report)
  return report
}

function damagedObjects(
  store: RemoteStore,
  damaged: readonly { item: PushItem; present: RemoteObjectInfo }[],
  report: TransferReport,
): WmsError {
  const lines = damaged
    .slice(0, 20)
    .map(
      ({ item, present }) =>
        `  - ${item.label ?? item.hash} (object ${item.hash}) ${describeDamage(present, sizeOf(item.source))}`,
    )
  if (damaged.length > 20) lines.push(`  … and ${String(damaged.length - 20)} more`)
  return new WmsError(
    'storage/conflict',
    `The remote ${store.display} holds damaged copies of ${String(damaged.length)} file(s); they were left untouched (the other ${String(report.transferred)} new object(s) were stored):\n${lines.join('\n')}`,
    {
      hint: `The files here are good copies: replace the damaged ones with \`${REPAIR_COMMAND}\`.`,
      details: { damaged: damaged.map(({ item }) => ({ hash: item.hash, file: item.label })), report },
    },
  )
}

/** Downloads objects to their destinations (verified, through temporary files), bounded parallel, with progress. */
export async function pullObjects(
  store: RemoteStore,
  items: readonly PullItem[],
  options: TransferProgressOptions = {},
): Promise<TransferReport> {
  const started = Date.now()
  // Sizes are known only when every item has one (a `.dir` manifest has none): no made-up total otherwise.
  const total = items.every((item) => item.size !== undefined)
    ? items.reduce((sum, item) => sum + (item.size ?? 0), 0)
    : undefined
  const bytes = progressReporter(options, 'bytes', total, `downloading ${String(items.length)} files`)
  let received = 0
  await forEachBounded(items, store.concurrency, async (item) => {
    await store
      .download(item.hash, item.destination, {
        ...signalOf(options),
        ...(options.temporaryDir === undefined ? {} : { temporaryDir: options.temporaryDir }),
        onBytes: (n) => {
          received += n
          bytes.add(n)
        },
      })
      .catch((thrown: unknown) => {
        throw namingFile(thrown, item.label)
      })
  })
  bytes.finish()
  return {
    objects: items.length,
    present: 0,
    transferred: items.length,
    repaired: 0,
    bytes: received,
    seconds: (Date.now() - started) / 1000,
  }
}

// "images/a.jpg: the stored copy of object … is damaged" — people know their files, not hashes.
function namingFile(thrown: unknown, label: string | undefined): unknown {
  if (label === undefined || !(thrown instanceof WmsError) || thrown.code === 'cancelled') return thrown
  return new WmsError(thrown.code, `${label}: ${thrown.message}`, {
    ...(thrown.hint === undefined ? {} : { hint: thrown.hint }),
    ...(thrown.retryable === undefined ? {} : { retryable: thrown.retryable }),
    details: { file: label, ...(typeof thrown.details === 'object' ? thrown.details : {}) },
    cause: thrown,
  })
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
  total: number | undefined,
  message: string,
): { add(n: number): void; set(done: number): void; finish(): void } {
  const events = options.events ?? nullSink
  const step = options.step ?? 'push'
  const started = Date.now()
  // An unknown total is left out, never sent as 0 ("26 MB / 0 B").
  const known = total !== undefined && total > 0 ? total : undefined
  let done = 0
  let lastEmit = 0
  const emit = (force: boolean): void => {
    const now = Date.now()
    if (!force && now - lastEmit < EMIT_EVERY_MS) return
    lastEmit = now
    const elapsed = (now - started) / 1000
    const eta =
      known !== undefined && done > 0 && elapsed > 0 && known >= done ? ((known - done) * elapsed) / done : undefined
    events.emit({
      type: 'progress',
      step,
      done: known === undefined ? done : Math.min(done, known),
      ...(known === undefined ? {} : { total: known }),
      unit,
      message,
      ...(eta === undefined ? {} : { etaSeconds: Math.round(eta * 10) / 10 }),
    })
  }
  if (known !== undefined) emit(true)
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
      if (known !== undefined) done = known
      if (done > 0) emit(true)
    },
  }
}
