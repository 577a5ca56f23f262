import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, statSync } from 'node:fs'
import { open, realpath } from 'node:fs/promises'
import path from 'node:path'
import type { ProbeFailure } from '@wms/shared/qa/probe'

/**
 * Reading dataset files safely: a file is read only if it is a regular file whose real path lies inside its
 * dataset root (a symlink pointing elsewhere is reported, never followed), only up to the size limit, and without
 * blocking on FIFOs or devices.
 */

/** A file QA may read: where it is, how to show it, and the folder it must stay inside. */
export interface DatasetFile {
  /** Absolute path as found (may be a symlink). */
  path: string
  /** Path shown in messages and reports (`images/x.jpg`, or the dropped file's name). */
  relpath: string
  /** Real path of the folder the file must resolve inside. */
  root: string
}

/** What `stat` found for a readable file; the identity keys the hash cache. */
export interface FileIdentity {
  realpath: string
  size: number
  mtimeMs: number
  ctimeMs: number
  ino: number
}

/** Either a readable file's identity or why it cannot be read. */
export type FileCheck = { ok: true; identity: FileIdentity } | { ok: false; failure: ProbeFailure; size: number }

const errnoText = (thrown: unknown): string => {
  const error = thrown as NodeJS.ErrnoException
  if (error.code === 'EACCES' || error.code === 'EPERM') return 'permission denied'
  if (error.code === 'ENOENT') return 'the file disappeared or is a broken link'
  if (error.code === 'ELOOP') return 'too many levels of symbolic links'
  return error.code ?? (error instanceof Error ? error.message : String(thrown))
}

/** True when `child` is `parent` or inside it (both absolute, real). */
export function isInside(parent: string, child: string): boolean {
  if (child === parent) return true
  // A prefix test on normalised absolute paths: cheaper than path.relative on every file of a warm run.
  const base = path.normalize(parent)
  const prefix = base.endsWith(path.sep) ? base : `${base}${path.sep}`
  return path.normalize(child).startsWith(prefix)
}

/**
 * Checks that a file may be read (regular, inside its root) and returns its identity. Never reads content.
 * `realDirs` memoises folder real paths within one run.
 */
export async function checkDatasetFile(
  file: DatasetFile,
  realDirs: Map<string, Promise<string>> = new Map(),
): Promise<FileCheck> {
  try {
    // Synchronous stat calls: a warm QA run is mostly these, and through the thread pool each costs ~10× more.
    const link = lstatSync(file.path)
    let real = file.path
    if (link.isSymbolicLink()) {
      real = await realpath(file.path)
      if (!isInside(file.root, real)) {
        return { ok: false, size: 0, failure: { kind: 'outside-dataset', detail: `it resolves to ${real}` } }
      }
    } else {
      const dir = path.dirname(file.path)
      let realDir = realDirs.get(dir)
      if (realDir === undefined) {
        realDir = realpath(dir)
        realDirs.set(dir, realDir)
      }
      real = path.join(await realDir, path.basename(file.path))
      if (!isInside(file.root, real)) {
        return { ok: false, size: 0, failure: { kind: 'outside-dataset', detail: `it lies in ${path.dirname(real)}` } }
      }
    }
    const info = link.isSymbolicLink() ? statSync(real) : link
    if (!info.isFile()) {
      return {
        ok: false,
        size: 0,
        failure: { kind: 'unreadable', detail: 'not a regular file (a folder, device or pipe)' },
      }
    }
    return {
      ok: true,
      identity: { realpath: real, size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, ino: info.ino },
    }
  } catch (thrown) {
    return { ok: false, size: 0, failure: { kind: 'unreadable', detail: errnoText(thrown) } }
  }
}

/**
 * Reads a checked file's bytes. `O_NOFOLLOW` refuses a file swapped for a symlink since the check, `O_NONBLOCK`
 * keeps a FIFO from hanging the open, and the size is checked again on the open handle.
 */
export async function readDatasetFile(identity: FileIdentity, maxBytes: number): Promise<Buffer> {
  const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK
  const handle = await open(identity.realpath, flags)
  try {
    const info = await handle.stat()
    if (!info.isFile()) throw new Error('not a regular file')
    if (info.size > maxBytes) throw new Error(`grew to ${String(info.size)} bytes`)
    return await handle.readFile()
  } finally {
    await handle.close()
  }
}

/**
 * {@link readDatasetFile} without the thread pool, for QA's probes: a dataset file is a few hundred kilobytes,
 * mostly in the page cache, and four thread-pool round trips per file cost the main thread more than the read.
 * Same checks (no symlink, no blocking on a FIFO, size checked again on the open file). `allocate` gives the buffer
 * to read into (QA lends reused ones, see read-buffers.ts).
 */
export function readDatasetFileSync(
  identity: FileIdentity,
  maxBytes: number,
  allocate: (size: number) => Buffer = (size) => Buffer.allocUnsafe(size),
): Buffer {
  const fd = openSync(identity.realpath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  try {
    const info = fstatSync(fd)
    if (!info.isFile()) throw new Error('not a regular file')
    if (info.size > maxBytes) throw new Error(`grew to ${String(info.size)} bytes`)
    const bytes = allocate(info.size)
    let filled = 0
    for (let read = -1; filled < bytes.length && read !== 0; filled += read) {
      read = readSync(fd, bytes, filled, bytes.length - filled, null)
    }
    // A file that shrank since the stat is read as it is now.
    return filled === bytes.length ? bytes : bytes.subarray(0, filled)
  } finally {
    closeSync(fd)
  }
}

/** Describes a read failure for a report. */
export function readFailure(thrown: unknown): ProbeFailure {
  return { kind: 'unreadable', detail: errnoText(thrown) }
}
