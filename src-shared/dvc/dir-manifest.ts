import { WmsError } from '../errors.js'
import { isMd5 } from './object-key.js'
import { compareCodePoints, pythonJsonDumps } from './python-json.js'

/**
 * DVC 3 `.dir` manifests: the JSON list of `{"md5", "relpath"}` that names every file of a tracked directory.
 * Its MD5 (plus `.dir`) is the directory's hash, written into the `.dvc` pointer file.
 */

/** One file of a tracked directory: its content hash and its path below the directory (forward slashes). */
export interface DirEntry {
  md5: string
  relpath: string
}

/** Compares entries by relpath the way Python sorts strings (by code point). */
export function compareDirEntries(a: DirEntry, b: DirEntry): number {
  return compareCodePoints(a.relpath, b.relpath)
}

/** A sorted copy of `entries`, in the order DVC writes them. */
export function sortDirEntries(entries: readonly DirEntry[]): DirEntry[] {
  return [...entries].sort(compareDirEntries)
}

/**
 * The `.dir` object's text, byte for byte what DVC writes (`json.dumps(list, sort_keys=True)`, ASCII-only),
 * so its MD5 is the directory hash DVC computes. Entries are sorted here; callers need not sort.
 */
export function serializeDirManifest(entries: readonly DirEntry[]): string {
  return pythonJsonDumps(sortDirEntries(entries).map((entry) => ({ md5: entry.md5, relpath: entry.relpath })))
}

/**
 * Why a relpath is unsafe or invalid, or `undefined` when it is fine. Relpaths from a remote are untrusted: one
 * like `../../.bashrc` must never make a pull write outside the dataset folder.
 */
export function relpathProblem(relpath: string): string | undefined {
  if (relpath === '') return 'is empty'
  if (relpath.includes('\0')) return 'contains a NUL character'
  if (relpath.startsWith('/') || relpath.startsWith('\\') || /^[A-Za-z]:/.test(relpath)) return 'is absolute'
  if (relpath.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    return 'has an empty, "." or ".." segment'
  }
  // A backslash is an ordinary character on Linux (DVC keeps it), but a separator on Windows.
  if (relpath.split('\\').some((part) => part === '.' || part === '..')) return 'has a "." or ".." segment'
  return undefined
}

/**
 * Parses a `.dir` object. Throws `dataset/invalid-manifest` naming `source` when the text is not a list of
 * `{md5, relpath}` entries with valid hashes and safe, unique relpaths. The result is sorted.
 */
export function parseDirManifest(text: string, source: string): DirEntry[] {
  const fail = (why: string): never => {
    throw new WmsError('dataset/invalid-manifest', `${source} is not a valid DVC directory manifest: ${why}.`, {
      hint: 'The remote object may be damaged or not written by DVC 3. Re-push the dataset from a good copy.',
    })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (thrown) {
    return fail(`not JSON (${(thrown as Error).message})`)
  }
  if (!Array.isArray(json)) return fail('expected a JSON list')
  const seen = new Set<string>()
  const entries: DirEntry[] = []
  for (const [index, item] of (json as unknown[]).entries()) {
    if (typeof item !== 'object' || item === null) return fail(`entry ${String(index)} is not an object`)
    const { md5, relpath } = item as { md5?: unknown; relpath?: unknown }
    if (typeof md5 !== 'string' || !isMd5(md5)) return fail(`entry ${String(index)} has no valid md5`)
    if (typeof relpath !== 'string') return fail(`entry ${String(index)} has no relpath`)
    const problem = relpathProblem(relpath)
    if (problem !== undefined) return fail(`relpath ${JSON.stringify(relpath)} ${problem}`)
    if (seen.has(relpath)) return fail(`relpath ${JSON.stringify(relpath)} appears twice`)
    seen.add(relpath)
    entries.push({ md5, relpath })
  }
  return sortDirEntries(entries)
}
