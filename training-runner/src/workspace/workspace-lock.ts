import { rmSync } from 'node:fs'
import { hostname } from 'node:os'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import { thisProcess, tryFileLock, type LockHolder } from '../tracking/store-lock.js'

/** Where a workspace's lock of this name lives (machine state, next to the staging area). */
export function workspaceLockFile(root: string, name: string): string {
  return path.join(root, '.wms', 'locks', `${name}.lock`)
}

function holderAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true
  try {
    process.kill(holder.pid, 0)
    return true
  } catch (thrown) {
    return (thrown as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Runs `work` as the only `name` operation in the workspace (`data merge`: two at once would fight over git's
 * index). A second one fails at once, naming the first; a lock whose process is gone is taken over.
 * `onHeld` receives a synchronous release for a forced stop (Ctrl-C twice).
 */
export async function withWorkspaceLock<T>(
  root: string,
  name: string,
  purpose: string,
  work: () => Promise<T>,
  onHeld: (releaseNow: () => void) => () => void = () => () => undefined,
): Promise<T> {
  const file = workspaceLockFile(root, name)
  for (let attempt = 0; ; attempt += 1) {
    const result = await tryFileLock(file, thisProcess(purpose))
    if ('acquired' in result) {
      const forget = onHeld(() => {
        rmSync(file, { force: true })
      })
      try {
        return await work()
      } finally {
        forget()
        await result.acquired.release()
      }
    }
    const holder = result.heldBy
    if (attempt === 0 && !holderAlive(holder)) {
      rmSync(file, { force: true })
      continue
    }
    throw new WmsError(
      'storage/conflict',
      `Another ${purpose} is running in this workspace (process ${String(holder.pid)} on ${holder.host}, since ${new Date(holder.since).toISOString()}).`,
      {
        hint: `Wait for it to finish and run the command again. If nothing is running, remove ${file}.`,
        retryable: true,
      },
    )
  }
}
