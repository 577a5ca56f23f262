import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import path from 'node:path'
import { z } from 'zod'

/**
 * A named mutex kept in the tracking store itself, so every machine that promotes into the same registry sees it:
 * an exclusively created file in a FileStore, a registered model created (atomically: names are unique) on an
 * MLflow server, which has no lock of its own. See `registry/promotion-lock.ts` for waiting and stale locks.
 */

/** Who holds a lock (stored with it). */
export interface LockHolder {
  host: string
  pid: number
  /** What it is doing, for people (`promote run 1a2b…`). */
  purpose: string
  /** Epoch ms when it was taken. */
  since: number
}

/** A held lock. */
export interface HeldLock {
  release(): Promise<void>
}

/** What `tryLock` found: the lock is ours now, or someone else holds it. */
export type LockAttempt = { acquired: HeldLock } | { heldBy: LockHolder }

/** The port's lock operations (implemented by both tracking stores). */
export interface StoreLocks {
  /** Takes the lock when it is free; otherwise says who holds it. Never waits. */
  tryLock(name: string, holder: LockHolder): Promise<LockAttempt>
  /** Removes a lock someone else left behind (stale); no error when it is already gone. */
  breakLock(name: string): Promise<void>
  /** Where the lock lives, for a message that tells a person how to remove it by hand. */
  describeLock(name: string): string
}

/** This process as a lock holder. */
export function thisProcess(purpose: string, now = Date.now()): LockHolder {
  return { host: hostname(), pid: process.pid, purpose, since: now }
}

const HolderSchema = z.object({ host: z.string(), pid: z.number(), purpose: z.string(), since: z.number() })

/** Reads a stored holder; an unreadable one is reported as unknown, taken at `fallbackSince`. */
export function parseLockHolder(text: string | undefined, fallbackSince: number): LockHolder {
  try {
    return HolderSchema.parse(JSON.parse(text ?? ''))
  } catch {
    return { host: 'unknown', pid: 0, purpose: 'unknown', since: fallbackSince }
  }
}

/** A lock as an exclusively created file (`wx`): one holder at a time, across processes and machines sharing it. */
export async function tryFileLock(file: string, holder: LockHolder): Promise<LockAttempt> {
  await mkdir(path.dirname(file), { recursive: true })
  try {
    await writeFile(file, JSON.stringify(holder), { flag: 'wx' })
  } catch (thrown) {
    if ((thrown as NodeJS.ErrnoException).code !== 'EEXIST') throw thrown
    const text = await readFile(file, 'utf8').catch(() => undefined)
    // Released between our attempt and our read: try again.
    if (text === undefined) return tryFileLock(file, holder)
    return { heldBy: parseLockHolder(text, (await stat(file).catch(() => undefined))?.mtimeMs ?? 0) }
  }
  return {
    acquired: {
      release: () => rm(file, { force: true }),
    },
  }
}
