import type { DirEntry } from '@wms/shared/dvc/dir-manifest'
import type { DvcOut } from '@wms/shared/dvc/dvc-file'
import { isDamaged } from '../adapters/storage/remote-store.js'
import type { DatasetWorkspace, TrackedFolder } from './dataset-workspace.js'
import { readDvcFileAt } from './dvc-files.js'
import { fetchManifest } from './manifests.js'

/**
 * Which objects the remote is known to hold without asking about each one. A `.dir` manifest is stored only after
 * every object it names (push, merge), so a manifest present in the remote vouches for all its files — the rule
 * DVC's own push uses. This lets `data push` ask only about the files the manifest diff names as new.
 */

/** True when the remote holds the intact `.dir` object of this folder version (one request). */
export async function versionInRemote(
  workspace: DatasetWorkspace,
  dirHash: string,
  signal?: AbortSignal,
): Promise<boolean> {
  const store = workspace.store()
  const info = await store.stat(dirHash, signal === undefined ? {} : { signal })
  return info !== undefined && !isDamaged(dirHash, info)
}

/**
 * The object hashes of `folder` the remote is known to hold: everything when the version being pushed is already
 * there; otherwise the files of the version committed at `HEAD`, when that one is there. Empty when nothing is
 * known (first push, not a git repository): then every object is checked.
 */
export async function vouchedObjects(
  workspace: DatasetWorkspace,
  folder: TrackedFolder,
  out: DvcOut,
  entries: readonly DirEntry[],
  signal?: AbortSignal,
): Promise<Set<string>> {
  if (await versionInRemote(workspace, out.md5, signal)) return new Set(entries.map((entry) => entry.md5))
  const committed = await readDvcFileAt(workspace.root, 'HEAD', folder.dvcRelpath).catch(() => undefined)
  const base = committed?.outs[0]
  if (base === undefined || base.md5 === out.md5 || !(await versionInRemote(workspace, base.md5, signal))) {
    return new Set()
  }
  const baseEntries = await fetchManifest(workspace.store(), base.md5, {
    cacheDir: workspace.cacheDir,
    ...(signal === undefined ? {} : { signal }),
  })
  return new Set(baseEntries.map((entry) => entry.md5))
}
