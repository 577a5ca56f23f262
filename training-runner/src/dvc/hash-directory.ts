import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import { serializeDirManifest, sortDirEntries, type DirEntry } from '@wms/shared/dvc/dir-manifest'
import { DIR_SUFFIX } from '@wms/shared/dvc/object-key'
import { forEachBounded } from '../adapters/storage/bounded-parallel.js'
import { md5Bytes, md5File } from '../fs/hash-file.js'

/** A directory version: what a `.dvc` file says about it, and its `.dir` manifest. */
export interface DirManifest {
  /** The directory hash, `<md5 of the .dir text>.dir`. */
  hash: string
  /** Sorted like the `.dir` object. */
  entries: DirEntry[]
  nfiles: number
  /** Bytes of all files. */
  size: number
}

/** A hashed local directory: its manifest plus each file's size (what a push needs). */
export interface HashedDirectory extends DirManifest {
  sizes: Map<string, number>
}

/** The `.dir` text and directory hash of a list of entries, as DVC computes them. */
export function dirObjectOf(entries: readonly DirEntry[]): { text: string; hash: string } {
  const text = serializeDirManifest(entries)
  return { text, hash: `${md5Bytes(text)}${DIR_SUFFIX}` }
}

/** A manifest of `entries` whose files add up to `size` bytes. */
export function manifestOf(entries: readonly DirEntry[], size: number): DirManifest {
  const sorted = sortDirEntries(entries)
  return { hash: dirObjectOf(sorted).hash, entries: sorted, nfiles: sorted.length, size }
}

/** Options of {@link hashDirectory}. */
export interface HashDirectoryOptions {
  /** Leave out files for which this returns true (relpath with forward slashes, below the directory). */
  exclude?: (relpath: string) => boolean
  concurrency?: number
  /** Called after each file is hashed. */
  onFile?: (done: number, total: number) => void
}

// What DVC never tracks inside a directory (its default .dvcignore patterns).
const ALWAYS_IGNORED = new Set(['.git', '.hg', '.dvc'])

/**
 * Hashes a directory exactly as `dvc add` does (DVC 3, `hash: md5`): every file below it, recursively, by the
 * MD5 of its bytes, named by its path below the directory with forward slashes; `.git`, `.hg` and `.dvc` are
 * skipped like DVC's built-in ignore rules. Empty sub-folders leave no trace; an empty directory hashes to
 * `d751713988987e9331980363e24189ce.dir` (the MD5 of `[]`). A `.dvcignore` file is not read.
 */
export async function hashDirectory(dir: string, options: HashDirectoryOptions = {}): Promise<HashedDirectory> {
  const files = await listFiles(dir)
  const selected = options.exclude === undefined ? files : files.filter((relpath) => !options.exclude?.(relpath))
  const entries: DirEntry[] = new Array<DirEntry>(selected.length)
  const sizes = new Map<string, number>()
  let done = 0
  await forEachBounded(selected, options.concurrency ?? 4, async (relpath, index) => {
    const file = path.join(dir, ...relpath.split('/'))
    const [md5, info] = await Promise.all([md5File(file), stat(file)])
    entries[index] = { md5, relpath }
    sizes.set(relpath, info.size)
    done += 1
    options.onFile?.(done, selected.length)
  })
  const size = [...sizes.values()].reduce((sum, bytes) => sum + bytes, 0)
  return { ...manifestOf(entries, size), sizes }
}

/** Relative paths (forward slashes) of the files below `dir`; symbolic links to files count as files. */
export async function listFiles(dir: string): Promise<string[]> {
  let top
  try {
    top = await stat(dir)
  } catch (thrown) {
    if ((thrown as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new WmsError('fs/not-found', `${dir} does not exist.`, { hint: 'Pull the dataset or check the path.' })
    }
    throw new WmsError('fs/io', `Cannot read ${dir}: ${(thrown as Error).message}`, { cause: thrown })
  }
  if (!top.isDirectory()) throw new WmsError('fs/io', `${dir} is not a directory.`)
  const files: string[] = []
  const walk = async (folder: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (ALWAYS_IGNORED.has(entry.name)) continue
      const relpath = `${prefix}${entry.name}`
      if (entry.isDirectory()) await walk(path.join(folder, entry.name), `${relpath}/`)
      else if (entry.isFile()) files.push(relpath)
      else if (entry.isSymbolicLink()) {
        const target = await stat(path.join(folder, entry.name)).catch(() => undefined)
        if (target?.isFile() === true) files.push(relpath)
      }
    }
  }
  await walk(dir, '')
  return files
}
