import { WmsError } from '@wms/shared/errors'
import { contentMd5, type ObjectHash } from '@wms/shared/dvc/object-key'
import { forEachBounded } from './bounded-parallel.js'

/**
 * The port to a DVC remote: a content-addressed object store in DVC 3's layout (`files/md5/xx/yyyy…`), with a
 * local-directory adapter (demo, tests) and an S3 adapter. Every adapter guarantees:
 *
 * - objects are named by the MD5 of their bytes, and every transfer is checked (size and MD5) both ways;
 * - `put` never replaces an existing object with different bytes (it reports `storage/conflict` instead);
 * - failures are `WmsError`s with `storage/*` codes, retried with backoff where that can help;
 * - a missing object is `storage/not-found`, an unreachable remote `storage/unavailable` — never "empty".
 */

/** Where an object's bytes come from. */
export type ObjectSource = { kind: 'file'; path: string; size: number } | { kind: 'bytes'; bytes: Uint8Array }

/** Per-call options of a transfer. */
export interface TransferOptions {
  signal?: AbortSignal
  /** Called with each chunk's byte count as it is sent or received (progress bars). */
  onBytes?: (bytes: number) => void
}

/** Options of `download`. */
export interface DownloadOptions extends TransferOptions {
  /** Where the temporary file goes while it arrives (default: next to the destination). */
  temporaryDir?: string
}

/** What a remote knows about a stored object. */
export interface RemoteObjectInfo {
  size: number
  /**
   * The MD5 of the stored bytes when the remote knows it cheaply: a single-part S3 object's ETag, a local file
   * hashed. Absent for multipart S3 objects (their ETag is not an MD5).
   */
  md5?: string
}

/** Options of `put`. */
export interface PutOptions extends TransferOptions {
  /**
   * The caller has just checked that the remote lacks the object (a batched {@link statObjects}), so the first
   * attempt skips its own existence check; retries check again (an earlier attempt may have landed). The write
   * itself still never replaces an object (`link()` locally, `If-None-Match` on S3).
   */
  knownAbsent?: boolean
  /**
   * Replace an object the remote holds with other bytes (truncated, corrupted) by these verified ones — the one
   * case a stored object is ever overwritten (`data push --repair`). Without it, a damaged object is an error.
   */
  repair?: boolean
}

/** Whether `put` sent the bytes, found them already there, or replaced a damaged copy (`repair`). */
export type PutOutcome = 'uploaded' | 'present' | 'repaired'

/** A DVC remote. */
export interface RemoteStore {
  readonly kind: 'local' | 's3'
  /** For people: `s3://bucket/prefix` or the directory. */
  readonly display: string
  /** How many transfers to run at once. */
  readonly concurrency: number
  /** Size of a stored object, or `undefined` when the remote does not have it. */
  stat(hash: ObjectHash, options?: TransferOptions): Promise<RemoteObjectInfo | undefined>
  /**
   * Stores `source` under `hash` unless an object with that hash exists. Verifies the bytes hash to `hash` before
   * they are published; an existing object of another size is a `storage/conflict`, never overwritten.
   */
  put(hash: ObjectHash, source: ObjectSource, options?: PutOptions): Promise<PutOutcome>
  /** The whole object in memory (for `.dir` manifests), verified against its hash. */
  getBytes(hash: ObjectHash, options?: TransferOptions): Promise<Uint8Array>
  /** Writes the object to `destination` (via a temporary file and a rename), verified against its hash. */
  download(hash: ObjectHash, destination: string, options?: DownloadOptions): Promise<void>
  /**
   * Checks once that the remote can be used at all — the bucket exists and the credentials are accepted, or the
   * folder exists — so that "no such bucket" or "access denied" is never read as "the remote lacks every object".
   * `forWrite` lets a local remote folder be created (like `dvc push` does).
   */
  probe(options?: { forWrite?: boolean; signal?: AbortSignal }): Promise<void>
  /** Releases connections. */
  close(): void
}

/**
 * Existence check of many objects at once, with the store's bounded parallelism: the hashes the remote has,
 * with their sizes. One request per object asked about (never a listing of the whole remote), so the cost grows
 * with what is being pushed, not with the size of the dataset.
 */
export async function statObjects(
  store: RemoteStore,
  hashes: Iterable<ObjectHash>,
  options: { signal?: AbortSignal; onChecked?: (checked: number) => void; forWrite?: boolean } = {},
): Promise<Map<ObjectHash, RemoteObjectInfo>> {
  const found = new Map<ObjectHash, RemoteObjectInfo>()
  let checked = 0
  const unique = [...new Set(hashes)]
  const signalOption = options.signal === undefined ? {} : { signal: options.signal }
  await store.probe({ ...signalOption, forWrite: options.forWrite === true })
  await forEachBounded(unique, store.concurrency, async (hash) => {
    const info = await store.stat(hash, signalOption)
    if (info !== undefined) found.set(hash, info)
    checked += 1
    options.onChecked?.(checked)
  })
  return found
}

/** True when a stored object is not the bytes its name promises: another size, or (where known) another MD5. */
export function isDamaged(hash: ObjectHash, present: RemoteObjectInfo, size?: number): boolean {
  return (
    (size !== undefined && present.size !== size) || (present.md5 !== undefined && present.md5 !== contentMd5(hash))
  )
}

/** How to say what is wrong with a damaged object: `holds 1200 bytes instead of 5000` / `holds other bytes`. */
export function describeDamage(present: RemoteObjectInfo, size?: number): string {
  return size !== undefined && present.size !== size
    ? `holds ${String(present.size)} bytes instead of ${String(size)}`
    : `holds other bytes (MD5 ${present.md5 ?? '?'})`
}

/** The command that replaces damaged remote objects from the good copies in a workspace. */
export const REPAIR_COMMAND = 'training-runner data push --repair'

/**
 * An object already there is fine when it is intact; a damaged one (truncated, corrupted) is never overwritten
 * silently: it is reported with the way to repair it.
 */
export function checkPresent(hash: ObjectHash, present: RemoteObjectInfo, size: number, where: string): PutOutcome {
  if (!isDamaged(hash, present, size)) return 'present'
  throw new WmsError(
    'storage/conflict',
    `The remote ${where} holds a damaged copy of object ${hash}: it ${describeDamage(present, size)}. It is left untouched.`,
    {
      hint: `Replace it from this good copy with \`${REPAIR_COMMAND}\`.`,
      details: { hash, damaged: true },
    },
  )
}
