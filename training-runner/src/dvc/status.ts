import { access } from 'node:fs/promises'
import type { DirEntry } from '@wms/shared/dvc/dir-manifest'
import type { DvcOut } from '@wms/shared/dvc/dvc-file'
import { toAppError, type AppError } from '@wms/shared/errors'
import { diffManifests, type ManifestDiff } from '@wms/shared/dvc/manifest-diff'
import { isDamaged, statObjects } from '../adapters/storage/remote-store.js'
import { isTemporaryName } from '../adapters/storage/temporary-files.js'
import { openDatasetWorkspace, type DatasetWorkspace, type StoreOptions } from './dataset-workspace.js'
import { readDvcOut } from './dvc-files.js'
import { hashDirectory, type HashedDirectory } from './hash-directory.js'
import { cachedManifest, fetchManifest } from './manifests.js'
import { versionInRemote } from './pushed-versions.js'

/**
 * The state of one tracked folder:
 * - `clean`: the files here are exactly what the `.dvc` file names, and that version is in the remote;
 * - `not-pushed`: the files here are what the `.dvc` file names, but that version is not in the remote yet
 *   (after `data add`, before `data push`);
 * - `modified`: files were added or changed here (see `changes`; run `data add`, then push);
 * - `incomplete`: some tracked files are missing here and nothing else changed — an interrupted pull, not a
 *   change to record (run `data pull`);
 * - `not-pulled`: the `.dvc` file names files but the folder is absent or empty (run `data pull`);
 * - `untracked`: there is no `.dvc` file yet (run `data add`).
 */
export type FolderState = 'clean' | 'not-pushed' | 'modified' | 'incomplete' | 'not-pulled' | 'untracked'

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
  /** With `checkRemote`: tracked files the remote holds damaged copies of (other size or MD5), by path. */
  damagedInRemote?: string[]
  /** Temporary files an interrupted transfer left here (never counted as data; `data pull` removes them). */
  leftovers: string[]
  /** Why `changes` or the pushed state is unknown (e.g. the remote could not be reached). */
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
  /** Never contact the remote (changes are shown only for manifests already cached; pushed state unknown). */
  offline?: boolean
  /**
   * Also check that the remote holds every tracked file, intact where it can tell (one request per file). A remote
   * that cannot be reached, refuses us or has no bucket is then an error — never "up to date".
   */
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
      const leftovers: string[] = []
      const hashed = exists
        ? await hashDirectory(folder.dir, {
            exclude: (relpath) => isTemporaryName(relpath) && leftovers.push(`${folder.name}/${relpath}`) > 0,
          })
        : undefined
      const local = hashed === undefined ? null : { hash: hashed.hash, nfiles: hashed.nfiles, size: hashed.size }
      const status: FolderStatus = { name: folder.name, state: 'untracked', tracked, local, changes: null, leftovers }
      if (tracked !== null) await judgeTracked(workspace, status, tracked, hashed, options)
      folders.push(status)
    }
    return { datasetRoot: workspace.datasetRelpath, remote: workspace.store().display, folders }
  } finally {
    workspace.close()
  }
}

async function judgeTracked(
  workspace: DatasetWorkspace,
  status: FolderStatus,
  tracked: DvcOut,
  hashed: HashedDirectory | undefined,
  options: DatasetStatusOptions,
): Promise<void> {
  const online = options.offline !== true
  let manifest: DirEntry[] | undefined
  if (hashed?.hash === tracked.md5) {
    manifest = hashed.entries
    status.state = 'clean'
    if (online) {
      try {
        if (!(await versionInRemote(workspace, tracked.md5))) status.state = 'not-pushed'
      } catch (thrown) {
        if (options.checkRemote === true) throw thrown
        status.problem = toAppError(thrown)
      }
    }
  } else {
    try {
      manifest =
        (await cachedManifest(workspace.cacheDir, tracked.md5)) ??
        (online ? await fetchManifest(workspace.store(), tracked.md5, { cacheDir: workspace.cacheDir }) : undefined)
    } catch (thrown) {
      if (options.checkRemote === true) throw thrown
      status.problem = toAppError(thrown)
    }
    status.state = localState(tracked, hashed, manifest)
  }
  if (manifest !== undefined && status.state !== 'clean' && status.state !== 'not-pushed') {
    status.changes = diffManifests(manifest, hashed?.entries ?? [])
  }
  if (options.checkRemote === true && manifest !== undefined) await checkRemote(workspace, status, manifest)
}

// Only removals (no file added or changed here) means files did not arrive — a pull to finish, not data to add.
function localState(
  tracked: DvcOut,
  hashed: HashedDirectory | undefined,
  manifest: readonly DirEntry[] | undefined,
): FolderState {
  if ((hashed?.nfiles ?? 0) === 0 && (tracked.nfiles ?? 0) > 0) return 'not-pulled'
  if (manifest === undefined) return 'modified'
  const changes = diffManifests(manifest, hashed?.entries ?? [])
  return changes.added.length === 0 && changes.changed.length === 0 && changes.removed.length > 0
    ? 'incomplete'
    : 'modified'
}

// Failures are thrown: with --check-remote an unreachable remote is the answer's subject, not a footnote.
async function checkRemote(workspace: DatasetWorkspace, status: FolderStatus, manifest: DirEntry[]): Promise<void> {
  const found = await statObjects(
    workspace.store(),
    manifest.map((entry) => entry.md5),
  )
  status.missingInRemote = new Set(manifest.map((entry) => entry.md5).filter((md5) => !found.has(md5))).size
  status.damagedInRemote = manifest
    .filter((entry) => {
      const info = found.get(entry.md5)
      return info !== undefined && isDamaged(entry.md5, info)
    })
    .map((entry) => `${status.name}/${entry.relpath}`)
}
