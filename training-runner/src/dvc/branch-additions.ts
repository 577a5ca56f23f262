import { access, stat } from 'node:fs/promises'
import path from 'node:path'
import type { DirEntry } from '@wms/shared/dvc/dir-manifest'
import type { DvcOut } from '@wms/shared/dvc/dvc-file'
import { diffManifests } from '@wms/shared/dvc/manifest-diff'
import type { MergeAddition } from '@wms/shared/dvc/merge-plan'
import { parseDatasetPath } from '@wms/shared/dataset/pairing'
import { forEachBounded } from '../adapters/storage/bounded-parallel.js'
import { md5File } from '../fs/hash-file.js'
import { refuseLinksLeaving } from '../qa/dataset-links.js'
import { isDatasetFile, type DatasetWorkspace, type TrackedFolder } from './dataset-workspace.js'
import { readDvcFileAt, readDvcOut } from './dvc-files.js'
import { listFiles } from './hash-directory.js'
import { fetchManifest } from './manifests.js'

/** A branch file to merge, with where its bytes are (a raw file here, or only the remote). */
export interface BranchAddition extends MergeAddition {
  /** The raw file in the working tree, when the bytes are here. */
  file?: { path: string; size: number }
}

/** What the branch brings, and what it holds that the merge will not take. */
export interface BranchContent {
  additions: BranchAddition[]
  /** Files in the raw folders that are not dataset files (hidden, unsupported extension), dataset-relative. */
  ignored: string[]
  /** Files the branch's committed manifest dropped; an append-only merge keeps them. */
  dropped: string[]
}

/**
 * Everything a data branch adds to the dataset, relative to the dataset root (`images/…`, `masks/…`):
 *
 * 1. the raw files in `images/` and `masks/` of the working tree (the annotator's new pairs), and
 * 2. what the branch's committed `.dvc` files add over the merge base with main — the result of an earlier run
 *    of the merge on this branch, so a rerun in a fresh checkout (raw files already out of git) still merges the
 *    same files, even onto a main that moved on.
 */
export async function gatherBranchContent(
  workspace: DatasetWorkspace,
  mergeBase: string | undefined,
  baseOuts: ReadonlyMap<string, DvcOut | undefined>,
  options: { signal?: AbortSignal },
): Promise<BranchContent> {
  // A committed link (`images/x.jpg -> /home/ci/.aws/credentials`) would upload what it names: refuse first.
  await refuseLinksLeaving(workspace.datasetDir, 'merge this branch')
  const additions = new Map<string, BranchAddition>()
  const dropped: string[] = []
  for (const folder of workspace.folders) {
    const fromManifest = await committedAdditions(workspace, folder, mergeBase, baseOuts.get(folder.name), options)
    for (const addition of fromManifest.additions) additions.set(addition.relpath, addition)
    dropped.push(...fromManifest.dropped)
  }
  const ignored: string[] = []
  for (const folder of workspace.folders) {
    const raw = await rawFiles(folder)
    ignored.push(...raw.ignored.map((relpath) => `${folder.name}/${relpath}`))
    await forEachBounded(raw.files, 4, async (relpath) => {
      const file = path.join(folder.dir, ...relpath.split('/'))
      const [md5, info] = await Promise.all([md5File(file), stat(file)])
      // A raw file is the newest word on its path; it replaces what the committed manifest says.
      additions.set(`${folder.name}/${relpath}`, {
        md5,
        relpath: `${folder.name}/${relpath}`,
        file: { path: file, size: info.size },
      })
    })
  }
  return { additions: [...additions.values()], ignored: ignored.sort(), dropped }
}

async function rawFiles(folder: TrackedFolder): Promise<{ files: string[]; ignored: string[] }> {
  const exists = await access(folder.dir).then(
    () => true,
    () => false,
  )
  if (!exists) return { files: [], ignored: [] }
  const all = await listFiles(folder.dir)
  return { files: all.filter(isDatasetFile), ignored: all.filter((relpath) => !isDatasetFile(relpath)) }
}

async function committedAdditions(
  workspace: DatasetWorkspace,
  folder: TrackedFolder,
  mergeBase: string | undefined,
  baseOut: DvcOut | undefined,
  options: { signal?: AbortSignal },
): Promise<{ additions: BranchAddition[]; dropped: string[] }> {
  const branchOut = await readDvcOut(folder.dvcFile)
  if (branchOut === undefined) return { additions: [], dropped: [] }
  const forkOut =
    mergeBase === undefined ? undefined : (await readDvcFileAt(workspace.root, mergeBase, folder.dvcRelpath))?.outs[0]
  if (branchOut.md5 === forkOut?.md5 || branchOut.md5 === baseOut?.md5) return { additions: [], dropped: [] }
  const fetch = (hash: string): Promise<DirEntry[]> =>
    fetchManifest(workspace.store(), hash, { cacheDir: workspace.cacheDir, ...options })
  const before = forkOut === undefined ? [] : await fetch(forkOut.md5)
  const after = await fetch(branchOut.md5)
  const diff = diffManifests(before, after)
  const prefix = (relpath: string): string => `${folder.name}/${relpath}`
  // A file dropped next to one added with the same stem was replaced by it (x.jpg → x.png).
  const droppedByStem = new Map(diff.removed.map((entry) => [stemOf(prefix(entry.relpath)), entry]))
  const additions: BranchAddition[] = []
  for (const entry of diff.added) {
    const replaced = droppedByStem.get(stemOf(prefix(entry.relpath)))
    const addition: BranchAddition = { md5: entry.md5, relpath: prefix(entry.relpath) }
    if (replaced !== undefined) {
      addition.replacedBefore = { md5: replaced.md5, relpath: prefix(replaced.relpath) }
      droppedByStem.delete(stemOf(prefix(entry.relpath)))
    }
    additions.push(addition)
  }
  for (const entry of diff.changed) {
    additions.push({
      md5: entry.to,
      relpath: prefix(entry.relpath),
      replacedBefore: { md5: entry.from, relpath: prefix(entry.relpath) },
    })
  }
  return { additions, dropped: [...droppedByStem.values()].map((entry) => prefix(entry.relpath)) }
}

function stemOf(relpath: string): string {
  const { role, stem } = parseDatasetPath(relpath)
  return `${role}/${stem}`
}
