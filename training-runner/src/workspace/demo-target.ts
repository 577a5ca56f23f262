import { lstat, mkdir, readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'

const PARTIAL = /\.partial-(\d+)$/

/** The sibling folder a demo is built in before it is renamed into place: `<base>.partial-<pid>`. */
export function partialFolder(base: string, pid: number = process.pid): string {
  return `${base}.partial-${String(pid)}`
}

/**
 * Checks that `base` may receive a demo: it must be absent or an empty folder. Anything else — a file, a link, a
 * folder with something in it — belongs to the user and is refused, never removed.
 */
export async function checkDemoTarget(base: string): Promise<void> {
  const found = await lstat(base).catch((thrown: unknown) => {
    if ((thrown as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw thrown
  })
  if (found === undefined) return
  const refuse = (what: string): never => {
    throw new WmsError('usage/invalid-arguments', `${base} ${what}; the demo needs an empty or new folder.`, {
      hint: 'Choose another folder (the demo never removes what is already there).',
    })
  }
  if (!found.isDirectory()) refuse(found.isSymbolicLink() ? 'is a symbolic link' : 'exists and is not a folder')
  if ((await readdir(base)).length > 0) refuse('is not empty')
}

/**
 * Creates `dir` one level at a time from its first existing ancestor. Node's recursive mkdir never returns on
 * pseudo file systems that refuse new entries (`/proc/x`, it loops on ENOENT); this fails at once with a message.
 */
export async function makeFolderChain(dir: string): Promise<void> {
  const missing: string[] = []
  let current = path.resolve(dir)
  for (;;) {
    const found = await lstat(current).catch(() => undefined)
    if (found !== undefined) {
      if (!found.isDirectory()) throw cannotHold(dir, `${current} is not a folder`)
      break
    }
    missing.unshift(current)
    const parent = path.dirname(current)
    if (parent === current) break
    current = parent
  }
  for (const folder of missing) {
    try {
      await mkdir(folder)
    } catch (thrown) {
      const code = (thrown as NodeJS.ErrnoException).code
      if (code === 'EEXIST') continue
      if (code === 'ENOENT') throw cannotHold(dir, `${path.dirname(folder)} does not accept new folders`)
      throw thrown
    }
  }
}

function cannotHold(dir: string, why: string): WmsError {
  return new WmsError('usage/invalid-arguments', `${dir} cannot hold a workspace: ${why}.`, {
    hint: 'Choose a folder on an ordinary disk (for example under your home folder).',
  })
}

/**
 * Removes `<base>.partial-<pid>` folders left by demo runs that were killed (their process is gone); a run still
 * going keeps its folder.
 */
export async function removeStalePartials(base: string): Promise<string[]> {
  const parent = path.dirname(base)
  const prefix = `${path.basename(base)}.partial-`
  const entries = await readdir(parent).catch(() => [] as string[])
  const removed: string[] = []
  for (const entry of entries) {
    const pid = PARTIAL.exec(entry)?.[1]
    if (!entry.startsWith(prefix) || pid === undefined || entry !== `${prefix}${pid}`) continue
    if (Number(pid) !== process.pid && processAlive(Number(pid))) continue
    await rm(path.join(parent, entry), { recursive: true, force: true })
    removed.push(path.join(parent, entry))
  }
  return removed
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
