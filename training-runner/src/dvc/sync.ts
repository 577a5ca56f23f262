import { rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import type { DirEntry } from '@wms/shared/dvc/dir-manifest'
import type { DvcOut } from '@wms/shared/dvc/dvc-file'
import { isDamaged, REPAIR_COMMAND, statObjects, type RemoteObjectInfo } from '../adapters/storage/remote-store.js'
import { isStaleTemporary, isTemporaryName, removeStaleTemporaries } from '../adapters/storage/temporary-files.js'
import type { EventSink } from '../events/event-sink.js'
import {
  openDatasetWorkspace,
  type DatasetWorkspace,
  type StoreOptions,
  type TrackedFolder,
} from './dataset-workspace.js'
import { readDvcOut } from './dvc-files.js'
import { hashDirectory } from './hash-directory.js'
import { cacheManifest, cachedManifest, fetchManifest, pushManifest } from './manifests.js'
import { vouchedObjects } from './pushed-versions.js'
import { pullObjects, pushObjects, type PullItem, type PushItem, type TransferReport } from './transfer.js'

/** Options shared by add, push and pull. */
export interface SyncOptions extends StoreOptions {
  events?: EventSink
  signal?: AbortSignal
}

export { addDataset, removeFromDataset, type AddOptions, type RemoveResult } from './add.js'

/** What `data push` did. */
export interface PushResult extends TransferReport {
  manifests: number
  /** Objects asked about in the remote (the manifest diff's new files; every file with `repair`). */
  checked: number
}

/** Options of {@link pushDataset}. */
export interface PushOptions extends SyncOptions {
  /**
   * Check every tracked object (not only the new ones) and replace damaged copies in the remote with the verified
   * files here (`data push --repair`).
   */
  repair?: boolean
  /** Called after each object is stored (how far an interrupted push got). */
  onStored?: (report: TransferReport) => void
}

/**
 * `dvc push` for the dataset: uploads the files the `.dvc` files name that the remote lacks, then the `.dir`
 * manifests — so a manifest is in the remote only once all its files are. Only the files the manifest diff names
 * as new (against the version already in the remote) are asked about. Files missing here must already be in the
 * remote (`dataset/missing-files` otherwise).
 */
export async function pushDataset(root: string, options: PushOptions = {}): Promise<PushResult> {
  const workspace = await openDatasetWorkspace(root, options)
  try {
    const items: PushItem[] = []
    const remoteOnly: { folder: string; entry: DirEntry }[] = []
    const manifests: DirEntry[][] = []
    for (const folder of workspace.folders) {
      const out = await requireOut(folder)
      const entries = await localManifest(workspace, folder, out)
      manifests.push(entries)
      const vouched =
        options.repair === true
          ? new Set<string>()
          : await vouchedObjects(workspace, folder, out, entries, options.signal)
      for (const entry of entries) {
        if (vouched.has(entry.md5)) continue
        const file = path.join(folder.dir, ...entry.relpath.split('/'))
        const info = await stat(file).catch(() => undefined)
        const label = `${folder.name}/${entry.relpath}`
        if (info?.isFile() === true)
          items.push({ hash: entry.md5, source: { kind: 'file', path: file, size: info.size }, label })
        else remoteOnly.push({ folder: folder.name, entry })
      }
    }
    const signal = options.signal === undefined ? {} : { signal: options.signal }
    const present = await statObjects(
      workspace.store(),
      remoteOnly.map(({ entry }) => entry.md5),
      { ...signal, forWrite: true },
    )
    checkRemoteOnly(workspace, remoteOnly, present)
    const report = await pushObjects(workspace.store(), items, {
      ...(options.events === undefined ? {} : { events: options.events }),
      ...(options.onStored === undefined ? {} : { onStored: options.onStored }),
      repair: options.repair === true,
      ...signal,
    })
    let stored = 0
    for (const entries of manifests) {
      const pushed = await pushManifest(workspace.store(), entries, {
        cacheDir: workspace.cacheDir,
        repair: options.repair === true,
        ...signal,
      })
      if (pushed.outcome !== 'present') stored += 1
    }
    const checked = new Set([...items.map((item) => item.hash), ...remoteOnly.map(({ entry }) => entry.md5)]).size
    return { ...report, manifests: stored, checked }
  } finally {
    workspace.close()
  }
}

// Files named by the `.dvc` files but not here must be in the remote, intact: otherwise nobody has them.
function checkRemoteOnly(
  workspace: DatasetWorkspace,
  remoteOnly: readonly { folder: string; entry: DirEntry }[],
  present: ReadonlyMap<string, RemoteObjectInfo>,
): void {
  const lost = remoteOnly.filter(({ entry }) => !present.has(entry.md5))
  if (lost.length > 0) {
    throw new WmsError(
      'dataset/missing-files',
      `${String(lost.length)} file(s) named by the .dvc files are neither here nor in the remote:\n${lost
        .slice(0, 20)
        .map(({ folder, entry }) => `  - ${folder}/${entry.relpath}`)
        .join('\n')}`,
      { hint: 'Restore the files (or run `training-runner data add` to track what is here) and push again.' },
    )
  }
  const damaged = remoteOnly.filter(({ entry }) => {
    const info = present.get(entry.md5)
    return info !== undefined && isDamaged(entry.md5, info)
  })
  if (damaged.length > 0) {
    throw new WmsError(
      'storage/integrity',
      `${String(damaged.length)} file(s) are damaged in the remote ${workspace.store().display} and not here to repair them from:\n${damaged
        .slice(0, 20)
        .map(({ folder, entry }) => `  - ${folder}/${entry.relpath} (object ${entry.md5})`)
        .join('\n')}`,
      { hint: `Run \`${REPAIR_COMMAND}\` in a workspace that has good copies of these files.` },
    )
  }
}

/** What `data pull` did. */
export interface PullResult extends TransferReport {
  /** Files already here with the right content. */
  upToDate: number
  /** Local files whose content differs from the dataset and were left alone (use `force`). */
  keptModified: string[]
  /** Local files the dataset does not name (left alone). */
  extra: string[]
}

/**
 * `dvc pull` for the dataset: downloads the files the `.dvc` files name that are missing here, verified. Files
 * arrive in temporary files under `.wms/tmp/pull` (outside the dataset folders) and get their name only when
 * complete, so an interrupted pull leaves nothing in `images/` or `masks/`; it removes stale temporary files an
 * older version left there. Local files with other content are kept unless `force` (nothing local is lost
 * silently).
 */
export async function pullDataset(root: string, options: SyncOptions & { force?: boolean } = {}): Promise<PullResult> {
  const workspace = await openDatasetWorkspace(root, options)
  try {
    const signal = options.signal === undefined ? {} : { signal: options.signal }
    const temporaryDir = path.join(workspace.root, '.wms', 'tmp', 'pull')
    await removeStaleTemporaries(temporaryDir)
    const items: PullItem[] = []
    const keptModified: string[] = []
    const extra: string[] = []
    let upToDate = 0
    for (const folder of workspace.folders) {
      const out = await requireOut(folder)
      const entries = await fetchManifest(workspace.store(), out.md5, { cacheDir: workspace.cacheDir, ...signal })
      const named = new Set(entries.map((entry) => entry.relpath))
      const leftovers: string[] = []
      const local = await hashDirectory(folder.dir, {
        exclude: (relpath) => isTemporaryName(relpath) && leftovers.push(relpath) > 0,
      }).catch(() => undefined)
      await removeStale(folder.dir, leftovers)
      const localMd5 = new Map(local?.entries.map((entry) => [entry.relpath, entry.md5]))
      for (const relpath of localMd5.keys()) if (!named.has(relpath)) extra.push(`${folder.name}/${relpath}`)
      for (const entry of entries) {
        const have = localMd5.get(entry.relpath)
        if (have === entry.md5) {
          upToDate += 1
          continue
        }
        if (have !== undefined && options.force !== true) {
          keptModified.push(`${folder.name}/${entry.relpath}`)
          continue
        }
        const destination = path.join(folder.dir, ...entry.relpath.split('/'))
        items.push({ hash: entry.md5, destination, label: `${folder.name}/${entry.relpath}` })
      }
    }
    const report = await pullObjects(workspace.store(), items, {
      ...(options.events === undefined ? {} : { events: options.events }),
      temporaryDir,
      ...signal,
    })
    return { ...report, upToDate, keptModified, extra }
  } finally {
    workspace.close()
  }
}

// Temporary files an interrupted pull of an older version left among the data (only stale ones).
async function removeStale(dir: string, leftovers: readonly string[]): Promise<void> {
  for (const relpath of leftovers) {
    const file = path.join(dir, ...relpath.split('/'))
    const info = await stat(file).catch(() => undefined)
    if (info !== undefined && isStaleTemporary(file, info.mtimeMs)) await rm(file, { force: true })
  }
}

async function requireOut(folder: TrackedFolder): Promise<DvcOut> {
  const out = await readDvcOut(folder.dvcFile)
  if (out !== undefined) return out
  throw new WmsError(
    'dataset/invalid-manifest',
    `${folder.dvcFile} does not exist: ${folder.name}/ is not tracked yet.`,
    {
      hint: 'Track the dataset first with `training-runner data add`.',
    },
  )
}

// The manifest a `.dvc` file names, from the cache, else by hashing the folder (it must match), else the remote.
async function localManifest(workspace: DatasetWorkspace, folder: TrackedFolder, out: DvcOut): Promise<DirEntry[]> {
  const cached = await cachedManifest(workspace.cacheDir, out.md5)
  if (cached !== undefined) return cached
  const hashed = await hashDirectory(folder.dir).catch(() => undefined)
  if (hashed?.hash === out.md5) {
    await cacheManifest(workspace.cacheDir, hashed.entries)
    return hashed.entries
  }
  return fetchManifest(workspace.store(), out.md5, { cacheDir: workspace.cacheDir })
}
