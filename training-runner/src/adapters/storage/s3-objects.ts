import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { Agent as HttpsAgent } from 'node:https'
import path from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { WmsError } from '@wms/shared/errors'
import { DEFAULT_RETRY_POLICY, withRetries, type RetryPolicy } from './retry.js'
import { toStorageError } from './s3-errors.js'
import { temporaryPath } from './verified-copy.js'

/**
 * Objects under free-form keys in an S3 bucket (or an S3-compatible server) — what MLflow's `s3://` artifact roots
 * hold — next to the content-addressed DVC remote of `s3-remote.ts`. Same rules: one client, failures through
 * {@link toStorageError}, our own retries ({@link withRetries}), `Content-MD5` on single-request uploads and an
 * MD5/size check of what comes back, downloads through a temporary file that is renamed only when complete.
 */

/** Options of {@link createS3ObjectStore} (and {@link createS3Client}). */
export interface S3ObjectStoreOptions {
  bucket: string
  region: string
  /** An S3-compatible server (MinIO, a test server); AWS when absent. */
  endpoint?: string
  forcePathStyle?: boolean
  /** Static credentials; when absent the SDK's standard chain (env, profile, SSO, instance role) is used. */
  credentials?: S3ClientConfig['credentials']
  /** A named profile of ~/.aws/config for the SDK's chain (the app's S3 settings); ignored with `credentials`. */
  profile?: string
  /** Accept any TLS certificate (MLflow's `MLFLOW_S3_IGNORE_TLS`). */
  insecureTls?: boolean
  retry?: RetryPolicy
  /** Longest wait for a server's answer, or between two bytes of a body (default 30 s); a hung server fails. */
  requestTimeoutMs?: number
  /** Files larger than this are uploaded in parts. */
  multipartThresholdBytes?: number
}

/** A listing of one "folder" (keys up to the next `/`). */
export interface S3Listing {
  files: { key: string; size: number }[]
  /** Common prefixes, without the trailing `/`. */
  dirs: string[]
}

/** Objects under arbitrary keys. */
export interface S3ObjectStore {
  /** `s3://bucket` (with the endpoint when not AWS), for messages. */
  readonly display: string
  putFile(key: string, file: string): Promise<void>
  /** The direct children of `prefix` (`a/b` lists `a/b/…`); empty when there are none. */
  list(prefix: string): Promise<S3Listing>
  /** Writes the object to `destination` via a temporary file; `storage/not-found` when it does not exist. */
  download(key: string, destination: string): Promise<void>
  close(): void
}

const DEFAULT_MULTIPART_THRESHOLD = 16 * 1024 * 1024
const PART_SIZE = 8 * 1024 * 1024

/** Default time to wait for a server's first answer, and for the next byte of a body (a hung server fails). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000
/** Default time to wait for a TCP connection. */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000

/**
 * An S3 client configured the project's way: our retries instead of the SDK's (a retried upload re-checks), only
 * the checksums every S3-compatible server understands, and timeouts that throw instead of warning — both for the
 * first answer and for a body that stops half-way.
 */
export function createS3Client(options: Omit<S3ObjectStoreOptions, 'bucket'>): S3Client {
  quietNodeVersionWarning()
  const timeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  return new S3Client({
    region: options.region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    forcePathStyle: options.forcePathStyle ?? false,
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: Math.min(DEFAULT_CONNECTION_TIMEOUT_MS, timeout),
      requestTimeout: timeout,
      socketTimeout: timeout,
      throwOnRequestTimeout: true,
      ...(options.insecureTls === true ? { httpsAgent: new HttpsAgent({ rejectUnauthorized: false }) } : {}),
    },
  })
}

/** The oldest Node major the runner supports (`engines` in package.json says `>=20.19`). */
const OLDEST_SUPPORTED_NODE_MAJOR = 20

/**
 * The pinned AWS SDK works on every Node the runner supports, but on Node 20 it prints an 8-line warning that
 * *later* SDK releases will need Node 22 — noise on every S3 command. It is silenced only on supported versions
 * (older ones still see it), through the SDK's own switch, and a user's explicit setting is kept.
 */
function quietNodeVersionWarning(): void {
  const major = Number(process.versions.node.split('.')[0])
  if (major >= OLDEST_SUPPORTED_NODE_MAJOR) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
}

/** Opens a bucket for free-form keys (see the module comment). */
export function createS3ObjectStore(options: S3ObjectStoreOptions): S3ObjectStore {
  const client = createS3Client(options)
  const bucket = options.bucket
  const display = `s3://${bucket}${options.endpoint === undefined ? '' : ` at ${options.endpoint}`}`
  const policy = {
    ...(options.retry ?? DEFAULT_RETRY_POLICY),
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
  }
  const threshold = options.multipartThresholdBytes ?? DEFAULT_MULTIPART_THRESHOLD
  const retried = <T>(operation: string, key: string, run: () => Promise<T>): Promise<T> =>
    withRetries(async () => {
      try {
        return await run()
      } catch (thrown) {
        throw toStorageError(operation, `s3://${bucket}/${key}`, thrown)
      }
    }, policy)

  return {
    display,

    putFile: async (key, file) => {
      const size = (await stat(file)).size
      if (size > threshold) {
        await retried('Upload', key, () =>
          new Upload({
            client,
            params: { Bucket: bucket, Key: key, Body: createReadStream(file) },
            partSize: PART_SIZE,
            queueSize: 2,
            leavePartsOnError: false,
          }).done(),
        )
        return
      }
      const bytes = await readFile(file)
      const md5 = createHash('md5').update(bytes).digest()
      const response = await retried('PutObject', key, () =>
        client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: bytes,
            ContentLength: bytes.length,
            ContentMD5: md5.toString('base64'),
          }),
        ),
      )
      const etag = response.ETag?.replace(/"/g, '')
      if (etag !== undefined && /^[0-9a-f]{32}$/.test(etag) && etag !== md5.toString('hex')) {
        throw new WmsError('storage/integrity', `${display}: ${key} was stored with other bytes than ${file} holds.`, {
          hint: 'The upload was damaged on the way; run the command again.',
        })
      }
    },

    list: async (prefix) => {
      const base = prefix === '' ? '' : `${prefix.replace(/\/+$/, '')}/`
      const listing: S3Listing = { files: [], dirs: [] }
      let token: string | undefined
      do {
        const page = await retried('ListObjectsV2', base, () =>
          client.send(
            new ListObjectsV2Command({ Bucket: bucket, Prefix: base, Delimiter: '/', ContinuationToken: token }),
          ),
        )
        for (const object of page.Contents ?? []) {
          if (object.Key !== undefined && object.Key !== base) {
            listing.files.push({ key: object.Key, size: object.Size ?? 0 })
          }
        }
        for (const common of page.CommonPrefixes ?? []) {
          if (common.Prefix !== undefined) listing.dirs.push(common.Prefix.replace(/\/+$/, ''))
        }
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined
      } while (token !== undefined)
      return listing
    },

    download: async (key, destination) => {
      await mkdir(path.dirname(destination), { recursive: true })
      await retried('GetObject', key, async () => {
        const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
        const body = response.Body instanceof Readable ? response.Body : Readable.from([])
        const temporary = temporaryPath(destination)
        const md5 = createHash('md5')
        let size = 0
        const meter = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            md5.update(chunk)
            size += chunk.length
            callback(null, chunk)
          },
        })
        try {
          await pipeline(body, meter, createWriteStream(temporary))
          const etag = response.ETag?.replace(/"/g, '')
          const shortened = response.ContentLength !== undefined && size !== response.ContentLength
          const damaged = etag !== undefined && /^[0-9a-f]{32}$/.test(etag) && etag !== md5.digest('hex')
          if (shortened || damaged) {
            throw new WmsError(
              'storage/integrity',
              `${display}: ${key} arrived ${shortened ? `with ${String(size)} of ${String(response.ContentLength)} bytes` : 'with other bytes than the server stored'}.`,
              { retryable: true, hint: 'The download was damaged on the way; it is retried.' },
            )
          }
          await rename(temporary, destination)
        } finally {
          await rm(temporary, { force: true })
        }
      })
    },

    close: () => {
      client.destroy()
    },
  }
}
