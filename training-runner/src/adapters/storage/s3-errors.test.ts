import { describe, expect, it } from 'vitest'
import { WmsError } from '@wms/shared/errors'
import { toStorageError } from './s3-errors.js'

const sdkError = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra })

describe('toStorageError', () => {
  it.each([
    [sdkError('NoSuchKey', 404), 'storage/not-found', undefined],
    [sdkError('NotFound', 404), 'storage/not-found', undefined],
    [sdkError('NoSuchBucket', 404), 'storage/not-found', undefined],
    [sdkError('AccessDenied', 403), 'storage/access-denied', undefined],
    [sdkError('InvalidAccessKeyId', 403), 'storage/access-denied', undefined],
    [sdkError('CredentialsProviderError'), 'storage/access-denied', undefined],
    [sdkError('ExpiredToken', 400), 'storage/access-denied', undefined],
    [sdkError('PreconditionFailed', 412), 'storage/conflict', undefined],
    [sdkError('BadDigest', 400), 'storage/integrity', true],
    [sdkError('SlowDown', 503), 'storage/unavailable', true],
    [sdkError('InternalError', 500), 'storage/unavailable', true],
    [sdkError('TimeoutError', undefined, { code: 'ECONNRESET' }), 'storage/unavailable', true],
    [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
      'storage/unavailable',
      true,
    ],
    [sdkError('Weird', 400), 'storage/unavailable', undefined],
    [sdkError('AbortError'), 'cancelled', undefined],
  ])('%s → %s', (thrown, code, retryable) => {
    const error = toStorageError('GetObject', 's3://b/k', thrown)
    expect(error.code).toBe(code)
    expect(error.retryable).toBe(retryable)
    expect(error.message).toContain('s3://b/k')
  })

  it('passes domain errors through', () => {
    const original = new WmsError('storage/integrity', 'x')
    expect(toStorageError('PutObject', 'k', original)).toBe(original)
  })
})
