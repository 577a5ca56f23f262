import { createHash, randomBytes } from 'node:crypto'
import { readdir, rm, stat } from 'node:fs/promises'
import { hostname } from 'node:os'
import path from 'node:path'

/**
 * Temporary files of transfers: `.<name>.tmp-<pid>-<8 hex>-<host>` next to where the file will be published (same
 * file system, so the final rename is atomic). A process killed mid-transfer (kill -9, power loss) cannot remove
 * its own, so the next run removes the *stale* ones — never one another process may still be writing:
 *
 * - written on this machine (same `<host>` tag) by a process that no longer runs: stale at once;
 * - from another machine sharing the folder, or an older name without the host tag: stale only when untouched for
 *   {@link FOREIGN_STALE_MS} (a live transfer keeps writing, so its file's modification time stays fresh).
 */

/** How long a temporary file whose writer cannot be checked must sit untouched before it counts as abandoned. */
export const FOREIGN_STALE_MS = 10 * 60_000

const THIS_HOST = createHash('md5').update(hostname()).digest('hex').slice(0, 6)
const TEMPORARY_NAME = /^\..+\.tmp-(\d+)-[0-9a-f]{8}(?:-([0-9a-f]{6}))?$/

/** A unique temporary name for `file`, in the same folder. */
export function temporaryPath(file: string): string {
  return path.join(path.dirname(file), temporaryName(path.basename(file)))
}

/** `.<base>.tmp-<pid>-<random>-<host>` */
export function temporaryName(base: string): string {
  return `.${base}.tmp-${String(process.pid)}-${randomBytes(4).toString('hex')}-${THIS_HOST}`
}

/** True for a name this module (or an older version of it) gives temporary files. */
export function isTemporaryName(name: string): boolean {
  return TEMPORARY_NAME.test(path.basename(name))
}

/** True when the temporary file `file` (with its modification time) is abandoned (see the module comment). */
export function isStaleTemporary(file: string, modifiedMs: number, now = Date.now()): boolean {
  const match = TEMPORARY_NAME.exec(path.basename(file))
  if (match === null) return false
  const pid = Number(match[1])
  if (match[2] === THIS_HOST) return !processRuns(pid)
  return now - modifiedMs > FOREIGN_STALE_MS
}

/** Removes the stale temporary files directly in `dir` (not below it); returns how many. Missing folder: 0. */
export async function removeStaleTemporaries(dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[])
  let removed = 0
  for (const name of names) {
    if (!isTemporaryName(name)) continue
    const file = path.join(dir, name)
    const info = await stat(file).catch(() => undefined)
    if (info === undefined || !isStaleTemporary(file, info.mtimeMs)) continue
    await rm(file, { force: true })
    removed += 1
  }
  return removed
}

function processRuns(pid: number): boolean {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (thrown) {
    // EPERM: it runs, as another user.
    return (thrown as NodeJS.ErrnoException).code === 'EPERM'
  }
}
