import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { Readable } from 'node:stream'
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { WmsError } from '@wms/shared/errors'
import { contentMd5, remoteObjectKey, type ObjectHash } from '@wms/shared/dvc/object-key'
import { md5Bytes } from '../../fs/hash-file.js'
import {
  checkPresent,
  isDamaged,
  REPAIR_COMMAND,
  type PutOutcome,
  type RemoteObjectInfo,
  type RemoteStore,
  type TransferOptions,
} from './remote-store.js'
import { DEFAULT_RETRY_POLICY, withRetries, type RetryPolicy } from './retry.js'
import { createS3Client, DEFAULT_REQUEST_TIMEOUT_MS } from './s3-objects.js'
import { toStorageError } from './s3-errors.js'
import { checkContent, hashingMeter, writeVerifiedFile } from './verified-copy.js'

/** Options of {@link createS3RemoteStore}. */
export interface S3RemoteOptions {
  bucket: string
  /** Key prefix of the DVC remote (`dvc` for `s3://bucket/dvc`), without slashes at the ends. */
  prefix: string
  region: string
  /** An S3-compatible server (MinIO, a test server); AWS when absent. */
  endpoint?: string
  forcePathStyle?: boolean
  /** Static credentials; when absent the SDK's standard chain (env, profile, SSO, instance role) is used. */
  credentials?: S3ClientConfig['credentials']
  /** A named profile of ~/.aws/config for the SDK's chain; ignored with `credentials`. */
  profile?: string
  concurrency?: number
  retry?: RetryPolicy
  /** Longest wait for the server's answer or the next byte of a body (default 30 s). */
  requestTimeoutMs?: number
  /** Objects larger than this are uploaded in parts (lib-storage), smaller ones in one request with Content-MD5. */
  multipartThresholdBytes?: number
  /** Use an existing client (tests); it is not destroyed by `close()`. */
  client?: S3Client
}

const DEFAULT_MULTIPART_THRESHOLD = 16 * 1024 * 1024
const PART_SIZE = 8 * 1024 * 1024

/**
 * A DVC remote in an S3 bucket (or an S3-compatible server). Uploads send `Content-MD5` (S3 rejects damaged
 * bodies) and `If-None-Match: *` (S3 refuses to replace an existing key); the returned ETag is compared with the
 * MD5 as well, because not every S3-compatible server checks either header.
 */
export function createS3RemoteStore(options: S3RemoteOptions): RemoteStore {
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  // Retries are ours (withRetries), so that a retried upload re-checks what the server already has.
  const client =
    options.client ??
    createS3Client({
      region: options.region,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      forcePathStyle: options.forcePathStyle ?? false,
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      ...(options.profile === undefined ? {} : { profile: options.profile }),
      requestTimeoutMs,
    })
  const bucket = options.bucket
  const prefix = options.prefix.replace(/^\/+|\/+$/g, '')
  const display = `s3://${bucket}${prefix === '' ? '' : `/${prefix}`}`
  const policy: RetryPolicy = { ...(options.retry ?? DEFAULT_RETRY_POLICY), requestTimeoutMs }
  const threshold = options.multipartThresholdBytes ?? DEFAULT_MULTIPART_THRESHOLD
  const keyOf = (hash: ObjectHash): string => `${prefix === '' ? '' : `${prefix}/`}${remoteObjectKey(hash)}`
  let conditionalWrites = true
  let probed: Promise<void> | undefined

  const send = async <T>(operation: string, hash: ObjectHash, run: () => Promise<T>): Promise<T> => {
    try {
      return await run()
    } catch (thrown) {
      throw toStorageError(operation, `${display}/${remoteObjectKey(hash)}`, thrown)
    }
  }
  const abortOptions = (transfer?: TransferOptions): { abortSignal?: AbortSignal } =>
    transfer?.signal === undefined ? {} : { abortSignal: transfer.signal }

  const head = async (hash: ObjectHash, transfer?: TransferOptions): Promise<RemoteObjectInfo | undefined> => {
    try {
      const response = await send('HeadObject', hash, () =>
        client.send(new HeadObjectCommand({ Bucket: bucket, Key: keyOf(hash) }), abortOptions(transfer)),
      )
      const md5 = singlePartMd5(response.ETag)
      return { size: response.ContentLength ?? 0, ...(md5 === undefined ? {} : { md5 }) }
    } catch (thrown) {
      if (thrown instanceof WmsError && thrown.code === 'storage/not-found') return undefined
      throw thrown
    }
  }

  // The ETag of a single-part upload is the MD5 of the bytes; a different one means the server stored other bytes.
  const verifyEtag = async (hash: ObjectHash, etag: string | undefined): Promise<void> => {
    const plain = etag?.replace(/"/g, '')
    if (plain === undefined || !/^[0-9a-f]{32}$/.test(plain) || plain === contentMd5(hash)) return
    await send('DeleteObject', hash, () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(hash) })))
    throw new WmsError('storage/integrity', `${display}: the server stored object ${hash} with MD5 ${plain}.`, {
      retryable: true,
      hint: 'The upload was damaged on the way and has been removed; it is retried.',
    })
  }

  // A GET whose ETag (the stored bytes' MD5) is not the object's name: the stored copy is damaged, and downloading
  // it again cannot help. Said before any byte is read.
  const rejectDamagedCopy = (hash: ObjectHash, etag: string | undefined, body: unknown): void => {
    const md5 = singlePartMd5(etag)
    if (md5 === undefined || md5 === contentMd5(hash)) return
    if (body instanceof Readable) body.destroy()
    throw new WmsError(
      'storage/integrity',
      `${display}: the stored copy of object ${hash} is damaged: it holds other bytes (MD5 ${md5}).`,
      {
        hint: `Replace it from a workspace that has a good copy: \`${REPAIR_COMMAND}\`.`,
        details: { hash, damaged: true },
      },
    )
  }

  const putSmall = async (
    hash: ObjectHash,
    bytes: Uint8Array,
    transfer?: TransferOptions,
    overwrite = false,
  ): Promise<PutOutcome> => {
    const command = (conditional: boolean): PutObjectCommand =>
      new PutObjectCommand({
        Bucket: bucket,
        Key: keyOf(hash),
        Body: bytes,
        ContentLength: bytes.length,
        ContentMD5: Buffer.from(contentMd5(hash), 'hex').toString('base64'),
        ContentType: 'application/octet-stream',
        ...(conditional ? { IfNoneMatch: '*' } : {}),
      })
    try {
      const response = await send('PutObject', hash, () =>
        client.send(command(conditionalWrites && !overwrite), abortOptions(transfer)),
      )
      await verifyEtag(hash, response.ETag)
    } catch (thrown) {
      if (!(thrown instanceof WmsError)) throw thrown
      if (thrown.code === 'storage/conflict' && !overwrite) {
        // Someone stored this hash between our check and our write: fine if it is the same size.
        const present = await head(hash, transfer)
        if (present !== undefined) return checkPresent(hash, present, bytes.length, display)
      }
      if (conditionalWrites && /NotImplemented|501/.test(thrown.message)) {
        conditionalWrites = false // A server without conditional writes: the existence check above must do.
        return putSmall(hash, bytes, transfer)
      }
      throw thrown
    }
    transfer?.onBytes?.(bytes.length)
    return overwrite ? 'repaired' : 'uploaded'
  }

  const putLarge = async (
    hash: ObjectHash,
    file: string,
    size: number,
    transfer?: TransferOptions,
  ): Promise<PutOutcome> => {
    const meter = hashingMeter()
    let sent = 0
    const upload = new Upload({
      client,
      params: { Bucket: bucket, Key: keyOf(hash), Body: createReadStream(file).pipe(meter.transform) },
      partSize: PART_SIZE,
      queueSize: 2,
      leavePartsOnError: false,
      ...(transfer?.signal === undefined ? {} : { abortController: abortControllerFor(transfer.signal) }),
    })
    upload.on('httpUploadProgress', (progress) => {
      const loaded = progress.loaded ?? sent
      transfer?.onBytes?.(loaded - sent)
      sent = loaded
    })
    await send('Upload', hash, () => upload.done())
    if (meter.md5() !== contentMd5(hash) || meter.size() !== size) {
      await send('DeleteObject', hash, () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(hash) })))
      throw changedSinceHashed(file, hash)
    }
    const stored = await head(hash, transfer)
    if (stored?.size !== size) {
      throw new WmsError(
        'storage/integrity',
        `${display}: object ${hash} was stored with ${String(stored?.size)} bytes, expected ${String(size)}.`,
        { retryable: true },
      )
    }
    return 'uploaded'
  }

  return {
    kind: 's3',
    display,
    concurrency: options.concurrency ?? 8,

    stat: (hash, transfer) => withRetries(() => head(hash, transfer), policy, transfer?.signal),

    put: (hash, source, transfer) =>
      withRetries(
        async (attempt) => {
          const size = source.kind === 'file' ? source.size : source.bytes.length
          const present = attempt === 0 && transfer?.knownAbsent === true ? undefined : await head(hash, transfer)
          const repairing = present !== undefined && transfer?.repair === true && isDamaged(hash, present, size)
          if (present !== undefined && !repairing) return checkPresent(hash, present, size, display)
          if (source.kind === 'file' && size > threshold) {
            const outcome = await putLarge(hash, source.path, size, transfer)
            return repairing ? 'repaired' : outcome
          }
          const bytes = source.kind === 'bytes' ? source.bytes : await readLocal(source.path)
          if (md5Bytes(bytes) !== contentMd5(hash) || bytes.length !== size) {
            throw source.kind === 'file'
              ? changedSinceHashed(source.path, hash)
              : new WmsError('internal', `Bytes given for ${hash} do not hash to it.`)
          }
          return putSmall(hash, bytes, transfer, repairing)
        },
        policy,
        transfer?.signal,
      ),

    getBytes: (hash, transfer) =>
      withRetries(
        async () => {
          const response = await send('GetObject', hash, () =>
            client.send(new GetObjectCommand({ Bucket: bucket, Key: keyOf(hash) }), abortOptions(transfer)),
          )
          rejectDamagedCopy(hash, response.ETag, response.Body)
          const bytes = await send('GetObject', hash, async () =>
            response.Body === undefined ? new Uint8Array() : response.Body.transformToByteArray(),
          )
          checkContent(hash, md5Bytes(bytes), bytes.length, response.ContentLength, `${display} object ${hash}`)
          transfer?.onBytes?.(bytes.length)
          return bytes
        },
        policy,
        transfer?.signal,
      ),

    download: (hash, destination, transfer) =>
      withRetries(
        async () => {
          const response = await send('GetObject', hash, () =>
            client.send(new GetObjectCommand({ Bucket: bucket, Key: keyOf(hash) }), abortOptions(transfer)),
          )
          rejectDamagedCopy(hash, response.ETag, response.Body)
          const body = response.Body instanceof Readable ? response.Body : Readable.from([])
          await send('GetObject', hash, () =>
            writeVerifiedFile(body, destination, hash, {
              ...(response.ContentLength === undefined ? {} : { expectedSize: response.ContentLength }),
              ...(transfer?.onBytes === undefined ? {} : { onBytes: transfer.onBytes }),
              ...(transfer?.signal === undefined ? {} : { signal: transfer.signal }),
              ...(transfer?.temporaryDir === undefined ? {} : { temporaryDir: transfer.temporaryDir }),
              what: `${display} object ${hash}`,
            }),
          )
        },
        policy,
        transfer?.signal,
      ),

    probe: (probeOptions) =>
      (probed ??= withRetries(
        () =>
          client
            .send(
              new HeadBucketCommand({ Bucket: bucket }),
              probeOptions?.signal === undefined ? {} : { abortSignal: probeOptions.signal },
            )
            .then(() => undefined)
            .catch((thrown: unknown) => {
              throw bucketError(bucket, display, thrown)
            }),
        policy,
        probeOptions?.signal,
      ).catch((thrown: unknown) => {
        probed = undefined // A failed probe is asked again next time (the network may come back).
        throw thrown
      })),

    close: () => {
      if (options.client === undefined) client.destroy()
    },
  }
}

/** The MD5 an ETag states for a single-part object (`"d41d…"`); `undefined` for multipart (`"…-3"`) or none. */
function singlePartMd5(etag: string | undefined): string | undefined {
  const plain = etag?.replace(/"/g, '').toLowerCase()
  return plain !== undefined && /^[0-9a-f]{32}$/.test(plain) ? plain : undefined
}

// HeadBucket answers 404 without a body, so the SDK cannot name it; here it can only mean the bucket is missing.
function bucketError(bucket: string, display: string, thrown: unknown): WmsError {
  const error = toStorageError('HeadBucket', display, thrown)
  if (error.code !== 'storage/not-found') return error
  return new WmsError('storage/not-found', `The S3 bucket ${bucket} does not exist (remote ${display}).`, {
    hint: 'Check dataset.remote.bucket (and region/endpoint) in wms.config.json, or create the bucket.',
    cause: thrown,
  })
}

async function readLocal(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file)
  } catch (thrown) {
    throw new WmsError('fs/io', `Cannot read ${file}: ${(thrown as Error).message}`, { cause: thrown })
  }
}

function changedSinceHashed(file: string, hash: ObjectHash): WmsError {
  return new WmsError(
    'storage/integrity',
    `${file} changed since it was hashed (expected ${hash}); nothing was published for it.`,
    {
      hint: 'Run the command again so the file is hashed anew.',
    },
  )
}

function abortControllerFor(signal: AbortSignal): AbortController {
  const controller = new AbortController()
  if (signal.aborted) controller.abort()
  else signal.addEventListener('abort', () => controller.abort(), { once: true })
  return controller
}
