import { createReadStream } from 'node:fs'
import { access, link, mkdir, readFile, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { WmsError } from '@wms/shared/errors'
import { remoteObjectKey, type ObjectHash } from '@wms/shared/dvc/object-key'
import { md5Bytes, md5File } from '../../fs/hash-file.js'
import {
  checkPresent,
  isDamaged,
  type PutOutcome,
  type RemoteObjectInfo,
  type RemoteStore,
  type TransferOptions,
  REPAIR_COMMAND,
} from './remote-store.js'
import { DEFAULT_RETRY_POLICY, withRetries, type RetryPolicy } from './retry.js'
import { removeStaleTemporaries } from './temporary-files.js'
import { checkContent, temporaryPath, writeVerifiedFile } from './verified-copy.js'

/** Options of {@link createLocalRemoteStore}. */
export interface LocalRemoteOptions {
  /** Absolute path of the remote directory (what `dvc remote add` points at). */
  root: string
  concurrency?: number
  retry?: RetryPolicy
}

/**
 * A DVC remote in a local (or mounted) directory, in DVC 3's layout. Objects are published with `link()`, which
 * fails when the name exists, so two writers can never replace each other's object; bytes go to a temporary file
 * first and are verified before they get their name.
 */
export function createLocalRemoteStore(options: LocalRemoteOptions): RemoteStore {
  const root = path.resolve(options.root)
  const policy = options.retry ?? DEFAULT_RETRY_POLICY
  const objectPath = (hash: ObjectHash): string => path.join(root, ...remoteObjectKey(hash).split('/'))
  // Temporary files a killed push or merge left in an object folder are removed the next time one is written
  // there (only stale ones: another process may be writing).
  const swept = new Set<string>()
  const sweepOnce = async (dir: string): Promise<void> => {
    if (swept.has(dir)) return
    swept.add(dir)
    await removeStaleTemporaries(dir)
  }
  const retried = <T>(operation: (attempt: number) => Promise<T>, signal?: AbortSignal): Promise<T> =>
    withRetries(operation, policy, signal)

  // A local object can be hashed cheaply, so a corrupted one of the right size is noticed too.
  const existing = async (hash: ObjectHash): Promise<RemoteObjectInfo | undefined> => {
    try {
      const info = await stat(objectPath(hash))
      return { size: info.size, md5: await md5File(objectPath(hash)) }
    } catch (thrown) {
      if ((thrown as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw localError('stat', hash, root, thrown)
    }
  }

  // A missing object is `not-found`; a missing remote folder is a broken configuration, never "no data yet".
  const readError = async (operation: string, hash: ObjectHash, thrown: unknown): Promise<WmsError> => {
    if ((thrown as NodeJS.ErrnoException).code !== 'ENOENT') return localError(operation, hash, root, thrown)
    const rootExists = await access(root).then(
      () => true,
      () => false,
    )
    if (!rootExists) {
      return new WmsError('storage/unavailable', `The DVC remote folder ${root} does not exist.`, {
        hint: 'Check dataset.remote.path in wms.config.json, or mount the folder, and try again.',
      })
    }
    return new WmsError('storage/not-found', `Object ${hash} is missing from the DVC remote ${root}.`, {
      hint: 'Push it from a workspace that has the file (`training-runner data push`).',
    })
  }

  return {
    kind: 'local',
    display: root,
    concurrency: options.concurrency ?? 4,

    stat: (hash, transfer) => retried(() => existing(hash), transfer?.signal),

    put: (hash, source, transfer) =>
      retried(async (attempt): Promise<PutOutcome> => {
        const size = source.kind === 'file' ? source.size : source.bytes.length
        const present = attempt === 0 && transfer?.knownAbsent === true ? undefined : await existing(hash)
        const repairing = present !== undefined && transfer?.repair === true && isDamaged(hash, present, size)
        if (present !== undefined && !repairing) return checkPresent(hash, present, size, root)
        const final = objectPath(hash)
        await sweepOnce(path.dirname(final))
        const temporary = temporaryPath(final)
        try {
          const stream = source.kind === 'file' ? createReadStream(source.path) : Readable.from([source.bytes])
          await writeVerifiedFile(stream, temporary, hash, {
            expectedSize: size,
            ...transferOptions(transfer),
            what: source.kind === 'file' ? source.path : `object ${hash}`,
          }).catch((thrown: unknown) => {
            throw thrown instanceof WmsError ? thrown : localError('write', hash, root, thrown)
          })
          if (repairing) {
            await rename(temporary, final) // Verified bytes atomically replace the damaged ones.
            return 'repaired'
          }
          return await publish(temporary, final, hash, size, root)
        } finally {
          await rm(temporary, { force: true })
        }
      }, transfer?.signal),

    getBytes: (hash, transfer) =>
      retried(async () => {
        let bytes: Buffer
        try {
          bytes = await readFile(objectPath(hash))
        } catch (thrown) {
          throw await readError('read', hash, thrown)
        }
        storedCopyCheck(() => {
          checkContent(hash, md5Bytes(bytes), bytes.length, undefined, `remote object ${hash}`)
        })
        transfer?.onBytes?.(bytes.length)
        return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)
      }, transfer?.signal),

    download: (hash, destination, transfer) =>
      retried(async () => {
        const file = objectPath(hash)
        try {
          await access(file)
        } catch (thrown) {
          throw await readError('read', hash, thrown)
        }
        await writeVerifiedFile(createReadStream(file), destination, hash, {
          ...transferOptions(transfer),
          ...(transfer?.temporaryDir === undefined ? {} : { temporaryDir: transfer.temporaryDir }),
          what: `remote object ${hash}`,
        }).catch((thrown: unknown) => {
          if (thrown instanceof WmsError && thrown.code === 'storage/integrity') throw damagedStoredCopy(thrown)
          throw thrown instanceof WmsError ? thrown : localError('download', hash, root, thrown)
        })
      }, transfer?.signal),

    probe: async (probeOptions) => {
      if (probeOptions?.forWrite === true) {
        await mkdir(root, { recursive: true }).catch((thrown: unknown) => {
          throw localError('create', 'the remote folder', root, thrown)
        })
        return
      }
      const info = await stat(root).catch(() => undefined)
      if (info?.isDirectory() !== true) {
        throw new WmsError('storage/unavailable', `The DVC remote folder ${root} does not exist.`, {
          hint: 'Check dataset.remote.path in wms.config.json, or mount the folder, and try again.',
        })
      }
    },

    close: () => undefined,
  }
}

// Bytes read from a local folder are not damaged in transit: a mismatch means the stored copy is bad, and
// retrying cannot help.
function damagedStoredCopy(error: WmsError): WmsError {
  return new WmsError('storage/integrity', `${error.message} The copy stored in the remote is damaged.`, {
    hint: `Replace it from a workspace that has a good copy: \`${REPAIR_COMMAND}\`.`,
    details: { damaged: true },
    cause: error,
  })
}

function storedCopyCheck(check: () => void): void {
  try {
    check()
  } catch (thrown) {
    throw thrown instanceof WmsError ? damagedStoredCopy(thrown) : thrown
  }
}

function transferOptions(transfer: TransferOptions | undefined): Pick<TransferOptions, 'onBytes' | 'signal'> {
  const options: Pick<TransferOptions, 'onBytes' | 'signal'> = {}
  if (transfer?.onBytes !== undefined) options.onBytes = transfer.onBytes
  if (transfer?.signal !== undefined) options.signal = transfer.signal
  return options
}

// `link` publishes atomically and refuses to replace; file systems without hard links fall back to `rename`
// after the existence check above (content-addressed, so a racing writer wrote the same bytes).
async function publish(
  temporary: string,
  final: string,
  hash: ObjectHash,
  size: number,
  root: string,
): Promise<PutOutcome> {
  await mkdir(path.dirname(final), { recursive: true })
  try {
    await link(temporary, final)
    return 'uploaded'
  } catch (thrown) {
    const code = (thrown as NodeJS.ErrnoException).code
    if (code === 'EEXIST') {
      const info = await stat(final)
      return checkPresent(hash, { size: info.size }, size, root)
    }
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV' || code === 'ENOSYS') {
      await rename(temporary, final)
      return 'uploaded'
    }
    throw localError('publish', hash, root, thrown)
  }
}

function localError(operation: string, hash: string, root: string, thrown: unknown): WmsError {
  const error = thrown as NodeJS.ErrnoException
  const message = `DVC remote ${root}: ${operation} of ${hash} failed: ${error.message}`
  switch (error.code) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new WmsError('storage/access-denied', message, {
        hint: 'Check the permissions of the remote folder.',
        cause: thrown,
      })
    case 'EBUSY':
    case 'EAGAIN':
    case 'EMFILE':
    case 'ENFILE':
    case 'ETIMEDOUT':
      return new WmsError('storage/unavailable', message, { retryable: true, cause: thrown })
    case 'ENOSPC':
      return new WmsError('storage/unavailable', message, { hint: 'The remote disk is full.', cause: thrown })
    default:
      return new WmsError('storage/unavailable', message, {
        hint: 'Check that the remote folder is reachable.',
        cause: thrown,
      })
  }
}
