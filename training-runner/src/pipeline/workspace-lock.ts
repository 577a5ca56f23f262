import { hostname } from 'node:os'
import path from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { rm } from 'node:fs/promises'
import { WmsError } from '@wms/shared/errors'
import { nullSink, type EventSink } from '../events/event-sink.js'
import { thisProcess, tryFileLock, type LockHolder } from '../tracking/store-lock.js'
import { pipelineDir } from './run-record-file.js'

/**
 * One pipeline at a time per workspace: the same exclusively created lock file as the promotion lock
 * (`tracking/store-lock.ts`), at `.wms/pipeline/lock`. Branches pushed together therefore queue, and each runs on
 * top of main as the previous one left it. A holder whose process is gone (kill -9, a crash, a reboot) is
 * detected and its lock removed, saying so; a live holder is waited for.
 */

/** Options of {@link withWorkspaceLock}. */
export interface WorkspaceLockOptions {
  /** What this process does, shown to whoever waits. */
  purpose: string
  events?: EventSink
  /** How long to wait for the running pipeline (default: as long as it takes). */
  waitMs?: number
  signal?: AbortSignal
}

/** The lock file of a workspace. */
export function workspaceLockFile(workspaceRoot: string): string {
  return path.join(pipelineDir(workspaceRoot), 'lock')
}

/** Runs `work` holding the workspace's pipeline lock. */
export async function withWorkspaceLock<T>(
  workspaceRoot: string,
  options: WorkspaceLockOptions,
  work: () => Promise<T>,
): Promise<T> {
  const events = options.events ?? nullSink
  const file = workspaceLockFile(workspaceRoot)
  const started = Date.now()
  let announced = false
  for (let pause = 100; ; pause = Math.min(1_000, pause * 2)) {
    const attempt = await tryFileLock(file, thisProcess(options.purpose))
    if ('acquired' in attempt) {
      try {
        return await work()
      } finally {
        await attempt.acquired.release().catch(() => undefined)
      }
    }
    const holder = attempt.heldBy
    if (holderIsGone(holder)) {
      events.emit({
        type: 'log',
        level: 'warn',
        message: `Removing the pipeline lock left by ${describe(holder)} (its process is gone).`,
      })
      await rm(file, { force: true })
      continue
    }
    if (options.waitMs !== undefined && Date.now() - started >= options.waitMs) {
      throw new WmsError('pipeline/locked', `Another pipeline runs in this workspace (${describe(holder)}).`, {
        hint: `Wait for it to finish. If nothing is running, remove ${file}.`,
        retryable: true,
      })
    }
    if (!announced) {
      announced = true
      events.emit({
        type: 'log',
        level: 'info',
        message: `Waiting for the pipeline in progress (${describe(holder)})…`,
      })
    }
    if (options.signal?.aborted === true)
      throw new WmsError('cancelled', 'Stopped while waiting for the pipeline lock.')
    await delay(pause)
  }
}

/** True when the holder ran on this machine and its process no longer exists. */
export function holderIsGone(holder: Pick<LockHolder, 'host' | 'pid'>): boolean {
  if (holder.host !== hostname() || holder.pid <= 0 || holder.pid === process.pid) return false
  try {
    process.kill(holder.pid, 0)
    return false
  } catch (thrown) {
    return (thrown as NodeJS.ErrnoException).code !== 'EPERM'
  }
}

function describe(holder: LockHolder): string {
  return `${holder.purpose}, pid ${String(holder.pid)} on ${holder.host}, since ${new Date(holder.since).toISOString()}`
}
