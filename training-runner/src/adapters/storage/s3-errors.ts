import { WmsError } from '@wms/shared/errors'

/**
 * The one place AWS SDK (and network) failures become domain errors. Codes: `storage/not-found` (a missing
 * object or bucket), `storage/access-denied` (credentials, policy), `storage/conflict` (a conditional write lost),
 * `storage/integrity` (the server saw other bytes than we sent), `storage/unavailable` (network, throttling,
 * server errors — retryable), `cancelled`.
 */
export function toStorageError(operation: string, target: string, thrown: unknown): WmsError {
  if (thrown instanceof WmsError) return thrown
  const error = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as {
    name?: string
    code?: string
    message?: string
    $metadata?: { httpStatusCode?: number }
    $retryable?: unknown
    $response?: { headers?: Record<string, string | undefined> }
  }
  const name = error.name ?? ''
  const status = error.$metadata?.httpStatusCode
  const detail =
    error.message !== undefined && error.message !== '' && error.message !== name ? `: ${error.message}` : ''
  const message = `S3 ${operation} ${target} failed (${name || error.code || 'error'}${status === undefined ? '' : ` ${String(status)}`})${detail}`
  const options = { cause: thrown }

  if (name === 'AbortError' || error.code === 'ABORT_ERR') {
    return new WmsError('cancelled', `S3 ${operation} ${target} was cancelled.`, options)
  }
  if (name === 'NoSuchBucket') {
    return new WmsError('storage/not-found', message, {
      ...options,
      hint: 'The bucket does not exist: check dataset.remote.bucket (and region/endpoint) in wms.config.json.',
    })
  }
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
    return new WmsError('storage/not-found', message, {
      ...options,
      hint: 'The object is missing from the remote; push it from a workspace that has it.',
    })
  }
  if (
    /^(AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|ExpiredToken|TokenRefreshRequired|InvalidToken|CredentialsProviderError|AllAccessDisabled)$/.test(
      name,
    ) ||
    status === 401 ||
    status === 403
  ) {
    return new WmsError('storage/access-denied', message, {
      ...options,
      hint: 'Check the AWS credentials (environment, profile or role) and the bucket policy.',
    })
  }
  if (name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || status === 412) {
    return new WmsError('storage/conflict', message, { ...options, ...(status === 409 ? { retryable: true } : {}) })
  }
  if (name === 'BadDigest' || name === 'InvalidDigest' || name === 'XAmzContentSHA256Mismatch') {
    return new WmsError('storage/integrity', message, {
      ...options,
      retryable: true,
      hint: 'The bytes were damaged on the way; the upload is retried.',
    })
  }
  const network =
    /^(TimeoutError|RequestTimeout|RequestTimeoutException|SlowDown|Throttling|ThrottlingException|ServiceUnavailable|InternalError|NetworkingError|TooManyRequestsException)$/.test(
      name,
    ) ||
    /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNABORTED|UND_ERR_SOCKET)$/.test(
      error.code ?? '',
    ) ||
    /socket hang up|connect ECONNREFUSED|network|timed? ?out/i.test(error.message ?? '') ||
    (status !== undefined && (status >= 500 || status === 429 || status === 408))
  if (network) {
    const retryAfterMs = parseRetryAfter(error.$response?.headers?.['retry-after'])
    return new WmsError('storage/unavailable', message, {
      ...options,
      retryable: true,
      ...(retryAfterMs === undefined ? {} : { details: { retryAfterMs } }),
      hint: 'The remote cannot be reached right now. Nothing was lost; run the same command again later.',
    })
  }
  return new WmsError('storage/unavailable', message, {
    ...options,
    hint: 'See the message for what the S3 server said.',
  })
}

/** `Retry-After: 3` or an HTTP date → milliseconds to wait (never negative); `undefined` when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
