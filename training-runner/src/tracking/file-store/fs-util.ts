import { randomBytes } from 'node:crypto'
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { WmsError } from '@wms/shared/errors'
import { dumpMetaYaml, loadMetaYaml } from '@wms/shared/tracking/meta-yaml'
import { keyProblem } from '@wms/shared/tracking/keys'

/** Filesystem helpers of the FileStore adapter: crash-safe writes, safe key paths, `file:` URIs. */

/** Writes a file atomically (temporary sibling + rename), so a crash never leaves half a meta.yaml. */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true })
  const temporary = `${file}.tmp-${randomBytes(6).toString('hex')}`
  try {
    await writeFile(temporary, content)
    await rename(temporary, file)
  } catch (thrown) {
    await rm(temporary, { force: true })
    throw thrown
  }
}

/** Writes a meta.yaml atomically. */
export async function writeMeta(file: string, doc: Record<string, unknown>): Promise<void> {
  await writeFileAtomic(file, dumpMetaYaml(doc))
}

/** Reads a meta.yaml; undefined when it does not exist; `tracking/corrupt` when it cannot be parsed. */
export async function readMeta(file: string): Promise<Record<string, unknown> | undefined> {
  const text = await readText(file)
  if (text === undefined) return undefined
  try {
    return loadMetaYaml(text)
  } catch (thrown) {
    throw new WmsError('tracking/corrupt', `${file} is not a valid MLflow meta.yaml: ${(thrown as Error).message}`, {
      hint: 'Restore the file from a backup or remove the broken entry from the mlruns folder.',
    })
  }
}

/** A text file's content, or undefined when it does not exist. */
export async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8')
  } catch (thrown) {
    if (isMissing(thrown)) return undefined
    throw thrown
  }
}

/** True for ENOENT/ENOTDIR. */
export function isMissing(thrown: unknown): boolean {
  const code = (thrown as NodeJS.ErrnoException).code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

/** Names of the sub-directories of `dir` (empty when it does not exist). */
export async function listDirs(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true })
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name)
  } catch (thrown) {
    if (isMissing(thrown)) return []
    throw thrown
  }
}

/**
 * Reads a key/value folder (`params/`, `tags/`): one file per key, value verbatim; `/` in a key is a sub-folder.
 * Temporary files of interrupted atomic writes are ignored.
 */
export async function readKeyValueDir(dir: string): Promise<Record<string, string>> {
  const values: Record<string, string> = {}
  let entries
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true })
  } catch (thrown) {
    if (isMissing(thrown)) return values
    throw thrown
  }
  const files = entries
    .filter((entry) => entry.isFile() && !/\.tmp-[0-9a-f]{12}$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
  // Read together: a version's or a run's dozen small files, where one after the other waited on each.
  const texts = await Promise.all(files.map((full) => readFile(full, 'utf8')))
  files.forEach((full, index) => {
    values[path.relative(dir, full).split(path.sep).join('/')] = texts[index] ?? ''
  })
  return values
}

/** The file of `key` under `dir`, after checking the key cannot escape it. */
export function keyPath(dir: string, key: string): string {
  const problem = keyProblem(key)
  if (problem !== undefined) throw new WmsError('tracking/invalid', `Invalid key '${key}': ${problem}.`)
  return path.join(dir, ...key.split('/'))
}

/** Every file under `dir`, relative, with forward slashes. */
export async function listFilesRecursive(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort()
}

/** Copies a file or folder to `dest` (creating parents); folders merge into an existing destination. */
export async function copyInto(source: string, dest: string): Promise<void> {
  await mkdir(path.dirname(dest), { recursive: true })
  await cp(source, dest, { recursive: true, force: true })
}

/** True when `file` exists. */
export async function exists(file: string): Promise<boolean> {
  try {
    await stat(file)
    return true
  } catch (thrown) {
    if (isMissing(thrown)) return false
    throw thrown
  }
}

/** `file:///abs/path` for an absolute path (what MLflow writes as artifact locations). */
export function toFileUri(dir: string): string {
  return pathToFileURL(dir).href
}

/** The local path of a `file:` URI (`file:///x`, `file:/x`), or undefined for other schemes. */
export function fromFileUri(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined
  if (uri.startsWith('file://')) return fileURLToPath(uri)
  return path.resolve(decodeURIComponent(uri.slice('file:'.length)))
}

/**
 * Resolves `relative` inside `root`, refusing paths that escape it (`../`, absolute paths), like MLflow's
 * "Invalid path" check.
 */
export function insideRoot(root: string, relative: string): string {
  const normalized = relative.split('/').filter((segment) => segment !== '' && segment !== '.')
  if (normalized.some((segment) => segment === '..') || path.isAbsolute(relative)) {
    throw new WmsError('tracking/invalid', `Invalid path: ${relative}`)
  }
  return path.join(root, ...normalized)
}
