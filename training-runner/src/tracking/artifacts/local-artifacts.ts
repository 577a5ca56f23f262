import { copyFile, mkdir, readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import type { ArtifactFile } from '@wms/shared/tracking/types'
import { isMissing } from '../file-store/fs-util.js'
import { joinArtifactPath, splitArtifactPath, type ArtifactRepository } from './artifact-repository.js'

/**
 * A `file:` artifact root (or a plain path): a folder this machine writes to directly, as MLflow's
 * `LocalArtifactRepository` does. Errors say which folder and why, because with a server the folder is often one
 * on the server's disk that this machine cannot reach.
 */
export function localArtifactRepository(uri: string, root: string): ArtifactRepository {
  const resolve = (relative: string): string => path.join(root, ...splitArtifactPath(relative))
  return {
    uri,
    kind: 'local',
    putFile: async (localFile, relative) => {
      const target = resolve(relative)
      try {
        await mkdir(path.dirname(target), { recursive: true })
        await copyFile(localFile, target)
      } catch (thrown) {
        throw localWriteError(uri, target, thrown)
      }
    },
    list: async (relative) => {
      const dir = resolve(relative)
      let entries
      try {
        entries = await readdir(dir, { withFileTypes: true })
      } catch (thrown) {
        if (isMissing(thrown)) return []
        throw thrown
      }
      const files: ArtifactFile[] = []
      for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const child = joinArtifactPath(relative, entry.name)
        if (entry.isDirectory()) files.push({ path: child, isDir: true })
        else files.push({ path: child, isDir: false, fileSize: (await stat(path.join(dir, entry.name))).size })
      }
      return files
    },
    getFile: async (relative, destination) => {
      const source = resolve(relative)
      await mkdir(path.dirname(destination), { recursive: true })
      try {
        await copyFile(source, destination)
      } catch (thrown) {
        if (isMissing(thrown)) throw new WmsError('tracking/not-found', `The artifact ${source} does not exist.`)
        throw thrown
      }
    },
  }
}

function localWriteError(uri: string, target: string, thrown: unknown): WmsError {
  const code = (thrown as NodeJS.ErrnoException).code ?? 'error'
  return new WmsError(
    'tracking/unsupported',
    `Cannot write the artifact ${target} (${code}): the MLflow experiment keeps its artifacts at ${uri}, a folder this machine writes to directly.`,
    {
      hint: 'If that folder is on the MLflow server, start the server with --serve-artifacts --artifacts-destination <dir> (and no --default-artifact-root) so artifacts go through it, or use an s3:// artifact root.',
      cause: thrown,
    },
  )
}
