import path from 'node:path'
import type { DataRemote } from '@wms/shared/config/workspace-config'
import { createLocalRemoteStore } from './local-remote.js'
import type { RemoteStore } from './remote-store.js'
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js'
import { createS3RemoteStore, type S3RemoteOptions } from './s3-remote.js'

/** Overrides for {@link createRemoteStore} (tests, the bench, the app's secret store). */
export interface RemoteStoreOverrides {
  /** S3 credentials from the app's keychain; otherwise the SDK's standard chain. */
  credentials?: S3RemoteOptions['credentials']
  /** A named AWS profile (the app's S3 settings) for the SDK's chain. */
  profile?: string
  retry?: Partial<RetryPolicy>
  /** Replace the configured endpoint (the bench's counting proxy). */
  endpoint?: string
  /** Longest wait for an S3 answer or the next byte (default 30 s, or `WMS_S3_TIMEOUT_MS`). */
  requestTimeoutMs?: number
}

/** `WMS_S3_TIMEOUT_MS`: the S3 request timeout for slow links (or fast tests), in milliseconds. */
export function timeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = Number(env.WMS_S3_TIMEOUT_MS)
  return Number.isInteger(value) && value > 0 ? value : undefined
}

/** Opens the DVC remote a workspace config names; relative local paths are resolved against `workspaceRoot`. */
export function createRemoteStore(
  remote: DataRemote,
  workspaceRoot: string,
  overrides: RemoteStoreOverrides = {},
): RemoteStore {
  const retry: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    ...(remote.retries === undefined ? {} : { retries: remote.retries }),
    ...overrides.retry,
  }
  if (remote.type === 'local') {
    return createLocalRemoteStore({
      root: path.resolve(workspaceRoot, remote.path),
      retry,
      ...(remote.concurrency === undefined ? {} : { concurrency: remote.concurrency }),
    })
  }
  const endpoint = overrides.endpoint ?? remote.endpoint
  const requestTimeoutMs = overrides.requestTimeoutMs ?? timeoutFromEnv()
  return createS3RemoteStore({
    bucket: remote.bucket,
    prefix: remote.prefix,
    region: remote.region,
    forcePathStyle: remote.forcePathStyle,
    retry,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(remote.concurrency === undefined ? {} : { concurrency: remote.concurrency }),
    ...(overrides.credentials === undefined ? {} : { credentials: overrides.credentials }),
    ...(overrides.profile === undefined ? {} : { profile: overrides.profile }),
    ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
  })
}
