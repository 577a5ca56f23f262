import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import { fromFileUri } from '../file-store/fs-util.js'
import type { MlflowHttp } from '../rest/mlflow-http.js'
import { unsupportedArtifactRoot, type ArtifactRepository } from './artifact-repository.js'
import { localArtifactRepository } from './local-artifacts.js'
import { proxiedArtifactRepository, proxiedPath } from './proxied-artifacts.js'
import { parseS3Uri, s3ArtifactRepository, type S3ArtifactSettings } from './s3-artifacts.js'

/** What a tracking store can use to reach artifact roots. */
export interface ArtifactAccess {
  /** The MLflow server, for `mlflow-artifacts:` roots. */
  http?: MlflowHttp
  /** How to reach S3 (from the environment); `null` when this side has no S3 access at all. */
  s3: S3ArtifactSettings | null
  /** Maps a URI this store serves itself to a local folder (a server backed by a FileStore). */
  resolveLocal?: (uri: string) => string | undefined
}

/** The repository for an artifact root URI; `tracking/unsupported` (saying what to do) for roots it cannot use. */
export function openArtifactRepository(uri: string, access: ArtifactAccess): ArtifactRepository {
  const local = localPathOf(uri) ?? access.resolveLocal?.(uri)
  if (local !== undefined) return localArtifactRepository(uri, local)
  if (proxiedPath(uri) !== undefined) {
    if (access.http === undefined) {
      throw new WmsError(
        'tracking/unsupported',
        `The artifacts at ${uri} are served by an MLflow server, but this workspace tracks into a local FileStore.`,
        { hint: 'Set tracking.uri (or MLFLOW_TRACKING_URI) to that MLflow server.' },
      )
    }
    return proxiedArtifactRepository(uri, access.http)
  }
  if (parseS3Uri(uri) !== undefined) {
    if (access.s3 === null) throw unsupportedArtifactRoot(uri)
    return s3ArtifactRepository(uri, access.s3)
  }
  throw unsupportedArtifactRoot(uri)
}

/** The folder of a `file:` URI or a plain absolute path (what `mlflow server --default-artifact-root /srv/x` records). */
export function localPathOf(uri: string): string | undefined {
  const fromUri = fromFileUri(uri)
  if (fromUri !== undefined) return fromUri
  return path.isAbsolute(uri) && !/^[a-z][\w+.-]*:/i.test(uri) ? uri : undefined
}
