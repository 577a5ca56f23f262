import { mkdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import type { ArtifactFile } from '@wms/shared/tracking/types'
import { listFilesRecursive } from '../file-store/fs-util.js'

/**
 * Where a run's artifacts live, as MLflow's clients see it: an artifact root URI and a repository that reads and
 * writes under it. MLflow never proxies writes for `file:` and `s3://` roots — the client writes there itself — so
 * this client does the same (`local-artifacts.ts`, `s3-artifacts.ts`); `mlflow-artifacts:` roots go through the
 * server (`proxied-artifacts.ts`).
 */

/** Files under one artifact root; paths are relative to it, with `/`. */
export interface ArtifactRepository {
  /** The root URI (for messages). */
  readonly uri: string
  /** `local`, `s3` or `proxied`. */
  readonly kind: 'local' | 's3' | 'proxied'
  /** Stores a local file at `relative`. */
  putFile(localFile: string, relative: string): Promise<void>
  /** Direct children of `relative` (`''` = the root); empty when there are none. */
  list(relative: string): Promise<ArtifactFile[]>
  /** Copies the file at `relative` to `destination`. */
  getFile(relative: string, destination: string): Promise<void>
}

/** URI schemes MLflow users run that this client cannot read or write, with what to do instead. */
export function unsupportedArtifactRoot(uri: string): WmsError {
  const scheme = /^([a-z][\w+.-]*):/i.exec(uri)?.[1] ?? uri
  return new WmsError(
    'tracking/unsupported',
    `The MLflow experiment keeps its artifacts at ${uri}: the ${scheme} artifact store is not supported by this client.`,
    {
      hint: 'Use an MLflow server that proxies artifacts (mlflow server --serve-artifacts --artifacts-destination …, and no --default-artifact-root), an s3:// artifact root, or a file: root both machines can reach.',
    },
  )
}

/** Uploads a file, or a folder recursively, to `artifactPath` (a folder's content goes under it). */
export async function uploadArtifacts(
  repository: ArtifactRepository,
  localPath: string,
  artifactPath: string,
): Promise<void> {
  const isDir = (await stat(localPath)).isDirectory()
  if (!isDir) {
    await repository.putFile(localPath, joinArtifactPath(artifactPath, path.basename(localPath)))
    return
  }
  for (const file of await listFilesRecursive(localPath)) {
    await repository.putFile(path.join(localPath, ...file.split('/')), joinArtifactPath(artifactPath, file))
  }
}

/**
 * Downloads the file or folder at `target` into `destDir` (as `destDir/<basename>`, or `destDir/artifacts` for the
 * root); returns the local path. Lists the parent first to learn whether `target` is a file or a folder.
 */
export async function downloadArtifacts(
  repository: ArtifactRepository,
  target: string,
  destDir: string,
  what: string,
): Promise<string> {
  const clean = splitArtifactPath(target).join('/')
  const isRoot = clean === ''
  const parent = splitArtifactPath(clean).slice(0, -1).join('/')
  const entry = isRoot ? { path: '', isDir: true } : (await repository.list(parent)).find((file) => file.path === clean)
  if (entry === undefined) throw new WmsError('tracking/not-found', `${what} has no artifact '${clean}'.`)
  const dest = path.join(destDir, isRoot ? 'artifacts' : path.posix.basename(clean))
  if (!entry.isDir) {
    await repository.getFile(clean, dest)
    return dest
  }
  await mkdir(dest, { recursive: true })
  const walk = async (dir: string, into: string): Promise<void> => {
    for (const child of await repository.list(dir)) {
      const local = path.join(into, path.posix.basename(child.path))
      if (child.isDir) {
        await mkdir(local, { recursive: true })
        await walk(child.path, local)
      } else {
        await repository.getFile(child.path, local)
      }
    }
  }
  await walk(clean, dest)
  return dest
}

/** Path segments of an artifact path, refusing `..` (MLflow answers "Invalid path" for it). */
export function splitArtifactPath(value: string): string[] {
  const segments = value.split('/').filter((segment) => segment !== '' && segment !== '.')
  if (segments.includes('..')) throw new WmsError('tracking/invalid', `Invalid path: ${value}`)
  return segments
}

/** Joins artifact paths with `/`. */
export function joinArtifactPath(...parts: string[]): string {
  return parts.flatMap(splitArtifactPath).join('/')
}

/** Splits a URI into its parent and last segment (`s3://b/p/model` → `s3://b/p`, `model`). */
export function splitUri(uri: string): { parent: string; name: string } {
  const trimmed = uri.replace(/\/+$/, '')
  const cut = trimmed.lastIndexOf('/')
  if (cut < 0 || /^[a-z][\w+.-]*:\/*$/i.test(trimmed.slice(0, cut + 1))) return { parent: trimmed, name: '' }
  return { parent: trimmed.slice(0, cut), name: trimmed.slice(cut + 1) }
}
