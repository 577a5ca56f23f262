import { hostname } from 'node:os'
import { setTimeout as delay } from 'node:timers/promises'
import { WmsError } from '@wms/shared/errors'
import { nullSink, type EventSink } from '../events/event-sink.js'
import { thisProcess, type LockHolder } from '../tracking/store-lock.js'
import type { TrackingStore } from '../tracking/tracking-store.js'

/**
 * One production move at a time per registered model: `promote` and `rollback` run inside this lock and re-read
 * production inside it, so two promotions started together never both "replace v1". The lock lives in the tracking
 * store (every machine promoting into that registry sees it). A holder that died is detected — its process is gone
 * (same machine) or it is older than any promotion takes — and its lock removed, saying so.
 */

/** Options of {@link withPromotionLock}. */
export interface PromotionLockOptions {
  /** What this process is doing, shown to whoever waits (`promote run 1a2b…`). */
  purpose: string
  events?: EventSink
  /** How long to wait for another promotion to finish (default 2 minutes). */
  waitMs?: number
  /** A lock older than this is left over from a crash (default 15 minutes; a promotion takes seconds). */
  staleAfterMs?: number
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

/** The lock's name for a registered model. */
export function promotionLockName(modelName: string): string {
  return `${modelName}.promotion-lock`
}

/** Runs `work` holding the promotion lock of `modelName` (see the module comment). */
export async function withPromotionLock<T>(
  store: TrackingStore,
  modelName: string,
  options: PromotionLockOptions,
  work: () => Promise<T>,
): Promise<T> {
  const events = options.events ?? nullSink
  const now = options.now ?? Date.now
  const sleep = options.sleep ?? ((ms: number) => delay(ms))
  const waitMs = options.waitMs ?? 120_000
  const staleAfterMs = options.staleAfterMs ?? 15 * 60_000
  const name = promotionLockName(modelName)
  const started = now()
  let announced = false
  for (let pause = 200; ; pause = Math.min(2_000, pause * 2)) {
    const attempt = await store.tryLock(name, thisProcess(options.purpose, now()))
    if ('acquired' in attempt) {
      try {
        return await work()
      } finally {
        await attempt.acquired.release().catch(() => undefined)
      }
    }
    const holder = attempt.heldBy
    if (isStale(holder, now(), staleAfterMs)) {
      events.emit({
        type: 'log',
        level: 'warn',
        message: `Removing a stale promotion lock of ${modelName} left by ${describeHolder(holder)}.`,
      })
      await store.breakLock(name)
      continue
    }
    if (now() - started >= waitMs) {
      throw new WmsError(
        'promote/locked',
        `Another promotion of ${modelName} is in progress (${describeHolder(holder)}); waited ${String(Math.round(waitMs / 1000))} s.`,
        {
          hint: `Run the command again when it has finished. If nothing is running, remove ${store.describeLock(name)}.`,
          retryable: true,
        },
      )
    }
    if (!announced) {
      announced = true
      events.emit({
        type: 'log',
        level: 'info',
        message: `Waiting for another promotion of ${modelName} to finish (${describeHolder(holder)})…`,
      })
    }
    await sleep(pause)
  }
}

function isStale(holder: LockHolder, now: number, staleAfterMs: number): boolean {
  if (now - holder.since > staleAfterMs) return true
  return holder.host === hostname() && holder.pid > 0 && holder.pid !== process.pid && !processAlive(holder.pid)
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (thrown) {
    // EPERM: it exists but belongs to someone else.
    return (thrown as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function describeHolder(holder: LockHolder): string {
  return `${holder.purpose} on ${holder.host}, pid ${String(holder.pid)}, since ${new Date(holder.since).toISOString()}`
}
