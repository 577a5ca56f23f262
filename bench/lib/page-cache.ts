import { spawnSync } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'

/**
 * The OS page cache, for honest cold runs. Without root, a file's pages are evicted with
 * `posix_fadvise(POSIX_FADV_DONTNEED)` — GNU dd's `iflag=nocache count=0` does exactly that for a whole file —
 * and `fincore` (util-linux) says how much of it is still resident. Both are Linux tools; elsewhere the cache is
 * left as it is and the bench says so.
 */

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name))
}

/** Bytes of the files under `dir` that are in the page cache, or undefined where fincore is missing. */
export async function residentBytes(dir: string): Promise<number | undefined> {
  const files = await filesUnder(dir)
  let total = 0
  for (let start = 0; start < files.length; start += 500) {
    const run = spawnSync(
      'fincore',
      ['--bytes', '--noheadings', '--raw', '--output', 'RES', ...files.slice(start, start + 500)],
      {
        encoding: 'utf8',
      },
    )
    if (run.status !== 0) return undefined
    for (const line of run.stdout.split('\n')) total += Number(line.trim() || 0)
  }
  return total
}

/** Evicts the files under `dir` from the page cache; false where this system cannot. */
export async function dropFromPageCache(dir: string): Promise<boolean> {
  spawnSync('sync')
  const files = await filesUnder(dir)
  for (let start = 0; start < files.length; start += 200) {
    const script = 'for f in "$@"; do dd if="$f" iflag=nocache count=0 status=none || exit 1; done'
    const run = spawnSync('sh', ['-c', script, 'sh', ...files.slice(start, start + 200)])
    if (run.status !== 0) return false
  }
  return true
}

/** Reads every file under `dir` once, so that a run finds them all in the page cache. */
export async function loadIntoPageCache(dir: string): Promise<void> {
  for (const file of await filesUnder(dir)) await readFile(file)
}
