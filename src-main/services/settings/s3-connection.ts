import { randomBytes } from 'node:crypto'
import type { ConnectionTestResult } from '@wms/shared/settings/accounts'
import { createRemoteStore, type RemoteStoreOverrides } from 'training-runner'
import { failed, hostOf, networkProblem, passed, type ProblemReport } from './network-problem.js'

/** S3 settings with their secrets, as `AccountsService.credentialsFor('s3')` hands them out. */
export interface S3Credentials {
  region: string
  bucket: string
  endpoint?: string
  forcePathStyle: boolean
  /** A named profile of ~/.aws/config (mode `profile`). */
  profile?: string
  /** Static keys (mode `keys`); neither profile nor keys: the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string }
}

/** The SDK's error behind a storage error (its name, status, headers). */
interface SdkError {
  name?: string
  message?: string
  $metadata?: { httpStatusCode?: number }
  $response?: { headers?: Record<string, string | undefined> }
}

function sdkErrorOf(thrown: unknown): SdkError {
  let current: unknown = thrown
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    if ('$metadata' in current || (current as { name?: string }).name === 'CredentialsProviderError') {
      return current
    }
    current = (current as { cause?: unknown }).cause
  }
  return {}
}

/**
 * Tests S3 settings through the runner's S3 adapter (`createRemoteStore`, the same client the dataset uses):
 * HeadBucket (bucket exists, region, credentials accepted), then a GetObject of a key that cannot exist, whose
 * error body names what HeadBucket cannot (HeadBucket answers without a body): a wrong key ID
 * (`InvalidAccessKeyId`), a wrong secret (`SignatureDoesNotMatch`) or a missing permission (`AccessDenied`).
 */
export async function testS3Connection(settings: S3Credentials, timeoutMs = 10_000): Promise<ConnectionTestResult> {
  const started = Date.now()
  const overrides: RemoteStoreOverrides = { retry: { retries: 0 }, requestTimeoutMs: timeoutMs }
  if (settings.credentials !== undefined) overrides.credentials = settings.credentials
  else if (settings.profile !== undefined) overrides.profile = settings.profile
  const store = createRemoteStore(
    {
      type: 's3',
      bucket: settings.bucket,
      prefix: '',
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    },
    '/',
    overrides,
  )
  const host = settings.endpoint === undefined ? `s3.${settings.region}.amazonaws.com` : hostOf(settings.endpoint)
  try {
    try {
      await store.probe()
    } catch (thrown) {
      const read = await readProbe(store)
      return failed('s3', classifyS3Error(thrown, read, settings, host), started)
    }
    const read = await readProbe(store)
    if (read.name === 'AccessDenied') {
      return failed(
        's3',
        {
          problem: 'forbidden',
          summary: `The bucket ${settings.bucket} exists and accepts these credentials, but they may not read it (GetObject: AccessDenied).`,
          hint: `Grant s3:GetObject, s3:PutObject and s3:ListBucket on arn:aws:s3:::${settings.bucket} and its objects.`,
        },
        started,
      )
    }
    return passed(
      's3',
      `Bucket ${settings.bucket} reached in ${settings.region}${settings.endpoint === undefined ? '' : ` at ${host}`}.`,
      [`credentials: ${describeMode(settings)}`, 'write permission is checked by the first push'],
      started,
    )
  } finally {
    store.close()
  }
}

function describeMode(settings: S3Credentials): string {
  if (settings.credentials !== undefined) return `access key ${maskKeyId(settings.credentials.accessKeyId)}`
  if (settings.profile !== undefined) return `profile ${settings.profile}`
  return "the SDK's default chain (environment, ~/.aws, instance role)"
}

/** `AKIA…WXYZ`: the key's kind and last four characters. */
export function maskKeyId(id: string): string {
  return id.length <= 8 ? '…' : `${id.slice(0, 4)}…${id.slice(-4)}`
}

async function readProbe(store: ReturnType<typeof createRemoteStore>): Promise<SdkError> {
  try {
    await store.getBytes(randomBytes(16).toString('hex'))
    return {}
  } catch (thrown) {
    return sdkErrorOf(thrown)
  }
}

function classifyS3Error(thrown: unknown, read: SdkError, settings: S3Credentials, host: string): ProblemReport {
  const head = sdkErrorOf(thrown)
  const status = head.$metadata?.httpStatusCode
  if (head.name === 'CredentialsProviderError') {
    return {
      problem: 'unauthorized',
      summary:
        `No AWS credentials were found${settings.profile === undefined ? '' : ` for profile ${settings.profile}`}: ${head.message ?? ''}`.trim(),
      hint:
        settings.profile === undefined
          ? 'Enter an access key in Settings, or choose a profile of ~/.aws/config.'
          : `Check that [profile ${settings.profile}] exists in ~/.aws/config (or ~/.aws/credentials) and is logged in.`,
    }
  }
  if (status === undefined) {
    const network = networkProblem(thrown, host, 'the S3 endpoint')
    if (network !== undefined) return network
  }
  const bucketRegion = head.$response?.headers?.['x-amz-bucket-region']
  if (status === 301 || (bucketRegion !== undefined && bucketRegion !== settings.region)) {
    return {
      problem: 'wrong-region',
      summary: `The bucket ${settings.bucket} is in ${bucketRegion ?? 'another region'}, not ${settings.region}.`,
      hint: `Set the region to ${bucketRegion ?? "the bucket's region"}.`,
    }
  }
  if (status === 404 || head.name === 'NotFound' || head.name === 'NoSuchBucket') {
    return {
      problem: 'bucket-missing',
      summary: `The bucket ${settings.bucket} does not exist${settings.endpoint === undefined ? ` in ${settings.region}` : ` at ${host}`}.`,
      hint: 'Check the bucket name, or create the bucket.',
    }
  }
  if (status === 403 || status === 401) {
    if (read.name === 'InvalidAccessKeyId') {
      return {
        problem: 'unauthorized',
        summary:
          `S3 does not know the access key ${settings.credentials === undefined ? '' : maskKeyId(settings.credentials.accessKeyId)} (InvalidAccessKeyId).`.replace(
            '  ',
            ' ',
          ),
        hint: 'Check the access key ID; a deleted or deactivated key must be replaced.',
      }
    }
    if (read.name === 'SignatureDoesNotMatch') {
      return {
        problem: 'unauthorized',
        summary: 'S3 rejected the signature: the secret access key does not belong to this access key ID.',
        hint: 'Enter the secret access key again.',
      }
    }
    if (read.name === 'ExpiredToken' || read.name === 'InvalidToken') {
      return {
        problem: 'unauthorized',
        summary: `The session credentials have expired (${read.name}).`,
        hint: 'Log in again (aws sso login) or refresh the keys.',
      }
    }
    return {
      problem: 'forbidden',
      summary: `The credentials are valid but may not use the bucket ${settings.bucket} (403 AccessDenied on HeadBucket).`,
      hint: `Grant s3:ListBucket on arn:aws:s3:::${settings.bucket} (and s3:GetObject/s3:PutObject on its objects) to these credentials.`,
    }
  }
  return {
    problem: 'unexpected-answer',
    summary: `S3 answered HeadBucket with ${head.name ?? 'an error'}${status === undefined ? '' : ` (HTTP ${String(status)})`}: ${(thrown as Error).message}`,
    hint: 'Check the endpoint and region.',
  }
}
