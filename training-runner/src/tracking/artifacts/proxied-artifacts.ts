import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { ArtifactFile } from '@wms/shared/tracking/types'
import type { MlflowHttp } from '../rest/mlflow-http.js'
import { toArtifactFiles } from '../rest/wire.js'
import { joinArtifactPath, splitArtifactPath, type ArtifactRepository } from './artifact-repository.js'

const ARTIFACTS_API = '/api/2.0/mlflow-artifacts/artifacts'

/** The path part of an `mlflow-artifacts:` URI (`mlflow-artifacts:/1/R/artifacts`, `mlflow-artifacts://host/1/…`). */
export function proxiedPath(uri: string): string | undefined {
  const match = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(uri)
  return match === null ? undefined : splitArtifactPath(match[1] ?? '').join('/')
}

/** An `mlflow-artifacts:` root: every byte goes through the server (`mlflow server --serve-artifacts`). */
export function proxiedArtifactRepository(uri: string, http: MlflowHttp): ArtifactRepository {
  const base = proxiedPath(uri) ?? ''
  const encode = (relative: string): string =>
    splitArtifactPath(joinArtifactPath(base, relative)).map(encodeURIComponent).join('/')
  return {
    uri,
    kind: 'proxied',
    putFile: async (localFile, relative) => {
      await http.json({
        method: 'PUT',
        path: `${ARTIFACTS_API}/${encode(relative)}`,
        body: await readFile(localFile),
        idempotent: true,
      })
    },
    list: async (relative): Promise<ArtifactFile[]> => {
      const json = await http.json({
        method: 'GET',
        path: ARTIFACTS_API,
        query: { path: joinArtifactPath(base, relative) },
        idempotent: true,
      })
      // The proxied listing names children relative to the listed folder.
      return toArtifactFiles(json, (listed) => joinArtifactPath(relative, path.posix.basename(listed)))
    },
    getFile: async (relative, destination) => {
      const bytes = await http.bytes({ method: 'GET', path: `${ARTIFACTS_API}/${encode(relative)}`, idempotent: true })
      await mkdir(path.dirname(destination), { recursive: true })
      await writeFile(destination, bytes)
    },
  }
}
