import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'

/** Newest modification time (ms) of any file under `entries`, skipping build output and dependencies. */
export function newestMtime(entries: string[]): number {
  let newest = 0
  const visit = (entry: string): void => {
    let info
    try {
      info = statSync(entry)
    } catch {
      return
    }
    if (info.isDirectory()) {
      const name = path.basename(entry)
      if (name === 'node_modules' || name === 'dist' || name === 'out') return
      for (const child of readdirSync(entry)) visit(path.join(entry, child))
    } else if (info.mtimeMs > newest) {
      newest = info.mtimeMs
    }
  }
  for (const entry of entries) visit(entry)
  return newest
}

/** True when any source is newer than the oldest build output (or an output is missing). */
export function isBuildStale(sources: string[], outputs: string[]): boolean {
  let oldestOutput = Number.POSITIVE_INFINITY
  for (const output of outputs) {
    try {
      oldestOutput = Math.min(oldestOutput, statSync(output).mtimeMs)
    } catch {
      return true
    }
  }
  return newestMtime(sources) > oldestOutput
}
