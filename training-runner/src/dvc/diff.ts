import { access } from 'node:fs/promises'
import type { DirEntry } from '@wms/shared/dvc/dir-manifest'
import { combineDiffs, diffManifests, prefixDiff, type ManifestDiff } from '@wms/shared/dvc/manifest-diff'
import { openDatasetWorkspace, type DatasetWorkspace, type StoreOptions } from './dataset-workspace.js'
import { readDvcFileAt } from './dvc-files.js'
import { hashDirectory } from './hash-directory.js'
import { fetchManifest } from './manifests.js'

/** The working tree's files (what `data add` would record), rather than a git revision. */
export const WORKDIR = 'workdir'

/** Added, removed and changed files between two dataset versions, paths relative to the dataset root. */
export interface DatasetDiff extends ManifestDiff {
  from: string
  to: string
  /** Counts per folder (`images` counts are pairs). */
  byFolder: Record<string, { added: number; removed: number; changed: number; unchanged: number }>
}

/**
 * `data diff <a> <b>`: what changed from dataset version `a` to `b`. Each is a git revision (`origin/main`,
 * `HEAD`, a sha — its `.dvc` files, manifests from the remote or the cache) or `workdir` (the files here).
 * For the PR body and the app's "what this adds".
 */
export async function diffDatasetVersions(
  root: string,
  from: string,
  to: string,
  options: StoreOptions & { signal?: AbortSignal } = {},
): Promise<DatasetDiff> {
  const workspace = await openDatasetWorkspace(root, options)
  try {
    const before = await versionManifests(workspace, from, options.signal)
    const after = await versionManifests(workspace, to, options.signal)
    const diffs = workspace.folders.map((folder) => ({
      name: folder.name,
      diff: prefixDiff(diffManifests(before.get(folder.name) ?? [], after.get(folder.name) ?? []), `${folder.name}/`),
    }))
    return {
      from,
      to,
      ...combineDiffs(diffs.map(({ diff }) => diff)),
      byFolder: Object.fromEntries(
        diffs.map(({ name, diff }) => [
          name,
          {
            added: diff.added.length,
            removed: diff.removed.length,
            changed: diff.changed.length,
            unchanged: diff.unchanged,
          },
        ]),
      ),
    }
  } finally {
    workspace.close()
  }
}

/** The manifests (per folder) of a dataset version; a version without a `.dvc` file has no files. */
export async function versionManifests(
  workspace: DatasetWorkspace,
  version: string,
  signal?: AbortSignal,
): Promise<Map<string, DirEntry[]>> {
  const manifests = new Map<string, DirEntry[]>()
  for (const folder of workspace.folders) {
    if (version === WORKDIR) {
      const exists = await access(folder.dir).then(
        () => true,
        () => false,
      )
      manifests.set(folder.name, exists ? (await hashDirectory(folder.dir)).entries : [])
      continue
    }
    const out = (await readDvcFileAt(workspace.root, version, folder.dvcRelpath))?.outs[0]
    const entries =
      out === undefined
        ? []
        : await fetchManifest(workspace.store(), out.md5, {
            cacheDir: workspace.cacheDir,
            ...(signal === undefined ? {} : { signal }),
          })
    manifests.set(folder.name, entries)
  }
  return manifests
}
