import { WmsError } from '@wms/shared/errors'
import type { ArtifactFile } from '@wms/shared/tracking/types'
import {
  createS3ObjectStore,
  type S3ObjectStore,
  type S3ObjectStoreOptions,
} from '../../adapters/storage/s3-objects.js'
import { joinArtifactPath, splitArtifactPath, type ArtifactRepository } from './artifact-repository.js'

/**
 * `s3://bucket/prefix` artifact roots, read and written directly as MLflow's `S3ArtifactRepository` does, through
 * the project's S3 adapter, with MLflow's and AWS's environment conventions: `MLFLOW_S3_ENDPOINT_URL` (MinIO and
 * other S3-compatible servers, path-style), `MLFLOW_S3_IGNORE_TLS`, `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` /
 * `AWS_SESSION_TOKEN`, `AWS_REGION` / `AWS_DEFAULT_REGION`, and otherwise the SDK's standard chain (`AWS_PROFILE`,
 * SSO, instance roles).
 */

/** How to reach S3 for artifacts (bucket aside). */
export type S3ArtifactSettings = Omit<S3ObjectStoreOptions, 'bucket'>

/** S3 settings from MLflow's and AWS's environment variables. */
export function s3SettingsFromEnv(env: NodeJS.ProcessEnv): S3ArtifactSettings {
  const endpoint = nonEmpty(env.MLFLOW_S3_ENDPOINT_URL)
  const settings: S3ArtifactSettings = {
    region: nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION) ?? 'us-east-1',
    // Self-hosted S3 servers (MinIO, Ceph) answer path-style requests; AWS accepts them too.
    forcePathStyle: endpoint !== undefined,
    insecureTls: /^(1|true|yes)$/i.test(env.MLFLOW_S3_IGNORE_TLS ?? ''),
  }
  if (endpoint !== undefined) settings.endpoint = endpoint
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID)
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY)
  if (accessKeyId !== undefined && secretAccessKey !== undefined) {
    const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN)
    settings.credentials = { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) }
  }
  return settings
}

/** The bucket and key prefix of an `s3://` URI, or undefined for other URIs. */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } | undefined {
  const match = /^s3a?:\/\/([^/]+)\/?(.*)$/.exec(uri)
  if (match === null || match[1] === undefined) return undefined
  return { bucket: match[1], prefix: splitArtifactPath(match[2] ?? '').join('/') }
}

/**
 * An artifact repository over `s3://bucket/prefix`. Each call opens and closes its own client, so no idle
 * connection outlives the command.
 */
export function s3ArtifactRepository(uri: string, settings: S3ArtifactSettings): ArtifactRepository {
  const parsed = parseS3Uri(uri)
  if (parsed === undefined) throw new WmsError('tracking/invalid', `${uri} is not an s3:// URI.`)
  const keyOf = (relative: string): string => joinArtifactPath(parsed.prefix, relative)
  const withObjects = async <T>(run: (objects: S3ObjectStore) => Promise<T>): Promise<T> => {
    const objects = createS3ObjectStore({ bucket: parsed.bucket, ...settings })
    try {
      return await run(objects)
    } catch (thrown) {
      throw explainS3Failure(thrown, uri, settings)
    } finally {
      objects.close()
    }
  }
  return {
    uri,
    kind: 's3',
    putFile: (localFile, relative) => withObjects((objects) => objects.putFile(keyOf(relative), localFile)),
    list: async (relative): Promise<ArtifactFile[]> => {
      const listing = await withObjects((objects) => objects.list(keyOf(relative)))
      const toRelative = (key: string): string => joinArtifactPath(relative, key.slice(key.lastIndexOf('/') + 1))
      return [
        ...listing.dirs.map((dir): ArtifactFile => ({ path: toRelative(dir), isDir: true })),
        ...listing.files.map((file): ArtifactFile => ({
          path: toRelative(file.key),
          isDir: false,
          fileSize: file.size,
        })),
      ].sort((a, b) => (a.path < b.path ? -1 : 1))
    },
    getFile: (relative, destination) =>
      withObjects((objects) => objects.download(keyOf(relative), destination)).catch((thrown: unknown) => {
        if (thrown instanceof WmsError && thrown.code === 'storage/not-found') {
          throw new WmsError('tracking/not-found', `The artifact ${uri}/${relative} does not exist.`)
        }
        throw thrown
      }),
  }
}

// The storage adapter's hints speak of the DVC remote; here the bucket is the MLflow experiment's artifact root.
function explainS3Failure(thrown: unknown, uri: string, settings: S3ArtifactSettings): unknown {
  if (!(thrown instanceof WmsError) || !thrown.code.startsWith('storage/')) return thrown
  const where = `${uri}${settings.endpoint === undefined ? '' : ` (endpoint ${settings.endpoint})`}`
  const hint =
    thrown.code === 'storage/access-denied'
      ? 'Give this machine write access to the bucket: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), as for MLflow itself.'
      : thrown.code === 'storage/not-found'
        ? 'Check the bucket of the experiment’s artifact location, and MLFLOW_S3_ENDPOINT_URL for a server that is not AWS.'
        : thrown.retryable === true
          ? 'Check that the S3 server is reachable (MLFLOW_S3_ENDPOINT_URL for one that is not AWS), then run the command again.'
          : (thrown.hint ?? 'See the message for what the S3 server said.')
  return new WmsError(thrown.code, `MLflow artifacts at ${where}: ${thrown.message}`, {
    hint,
    cause: thrown,
    ...(thrown.retryable === undefined ? {} : { retryable: thrown.retryable }),
  })
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}
