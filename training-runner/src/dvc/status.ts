import { access } from 'node:fs/promises'
import type { DirEntry } from '@wms/shared/dvc/dir-manifest'
import type { DvcOut } from '@wms/shared/dvc/dvc-file'
import { toAppError, type AppError } from '@wms/shared/errors'
import { diffManifests, type ManifestDiff } from '@wms/shared/dvc/manifest-diff'
import { statObjects } from '../adapters/storage/remote-store.js'
import { openDatasetWorkspace, type StoreOptions } from './dataset-workspace.js'
import { readDvcOut } from './dvc-files.js'
import { hashDirectory } from './hash-directory.js'
import { cachedManifest, fetchManifest } from './manifests.js'

/**
 * The state of one tracked folder:
 * - `clean`: the files here are exactly what the `.dvc` file names;
 * - `modified`: they differ (see `changes` when the manifest could be read);
 * - `not-pulled`: the `.dvc` file names files but the folder is absent or empty (run `data pull`);
 * - `untracked`: there is no `.dvc` file yet (run `data add`).
 */
export type FolderState = 'clean' | 'modified' | 'not-pulled' | 'untracked'

/** Status of one tracked folder. */
export interface FolderStatus {
  name: string
  state: FolderState
  tracked: DvcOut | null
  local: { hash: string; nfiles: number; size: number } | null
  /** What the local folder changes relative to the tracked version (null when unknown). */
  changes: ManifestDiff | null
  /** With `checkRemote`: how many of the tracked files the remote lacks. */
  missingInRemote?: number
  /** Why `changes` or the remote check is unavailable (e.g. the remote could not be reached). */
  problem?: AppError
}

/** `data status`: each folder's state. */
export interface DatasetStatus {
  datasetRoot: string
  remote: string
  folders: FolderStatus[]
}

/** Options of {@link datasetStatus}. */
export interface DatasetStatusOptions extends StoreOptions {
  /** Never contact the remote (changes are shown only for manifests already cached). */
  offline?: boolean
  /** Also check that the remote holds every tracked file (one request per file). */
  checkRemote?: boolean
}

/** Compares the dataset folders with their `.dvc` files (and, optionally, the remote). */
export async function datasetStatus(root: string, options: DatasetStatusOptions = {}): Promise<DatasetStatus> {
  const workspace = await openDatasetWorkspace(root, options)
  try {
    const folders: FolderStatus[] = []
    for (const folder of workspace.folders) {
      const tracked = (await readDvcOut(folder.dvcFile)) ?? null
      const exists = await access(folder.dir).then(
        () => true,
        () => false,
      )
      const hashed = exists ? await hashDirectory(folder.dir) : undefined
      const local = hashed === undefined ? null : { hash: hashed.hash, nfiles: hashed.nfiles, size: hashed.size }
      const status: FolderStatus = { name: folder.name, state: 'untracked', tracked, local, changes: null }
      if (tracked !== null) {
        if (hashed?.hash === tracked.md5) status.state = 'clean'
        else if ((hashed?.nfiles ?? 0) === 0 && (tracked.nfiles ?? 0) > 0) status.state = 'not-pulled'
        else status.state = 'modified'
        let manifest: DirEntry[] | undefined
        if (status.state === 'clean') manifest = hashed?.entries
        else {
          try {
            manifest =
              (await cachedManifest(workspace.cacheDir, tracked.md5)) ??
              (options.offline === true
                ? undefined
                : await fetchManifest(workspace.store(), tracked.md5, { cacheDir: workspace.cacheDir }))
          } catch (thrown) {
            status.problem = toAppError(thrown)
          }
        }
        if (manifest !== undefined) status.changes = diffManifests(manifest, hashed?.entries ?? [])
        if (options.checkRemote === true && manifest !== undefined && status.problem === undefined) {
          try {
            const found = await statObjects(
              workspace.store(),
              manifest.map((entry) => entry.md5),
            )
            status.missingInRemote = new Set(manifest.map((entry) => entry.md5)).size - found.size
          } catch (thrown) {
            status.problem = toAppError(thrown)
          }
        }
      }
      folders.push(status)
    }
    return {
      datasetRoot: workspace.datasetRelpath,
      remote: workspace.store().display,
      folders,
    }
  } finally {
    workspace.close()
  }
}
