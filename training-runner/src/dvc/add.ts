import { rm } from 'node:fs/promises'
import path from 'node:path'
import { pairDatasetFiles } from '@wms/shared/dataset/pairing'
import type { DvcOut } from '@wms/shared/dvc/dvc-file'
import { diffManifests } from '@wms/shared/dvc/manifest-diff'
import { WmsError } from '@wms/shared/errors'
import { isTemporaryName } from '../adapters/storage/temporary-files.js'
import { nullSink, type EventSink } from '../events/event-sink.js'
import {
  openDatasetWorkspace,
  type DatasetWorkspace,
  type StoreOptions,
  type TrackedFolder,
} from './dataset-workspace.js'
import { readDvcOut, writeDirDvcFile } from './dvc-files.js'
import { hashDirectory, type HashedDirectory } from './hash-directory.js'
import { cacheManifest, cachedManifest, fetchManifest } from './manifests.js'

/** Options of {@link addDataset}. */
export interface AddOptions extends StoreOptions {
  events?: EventSink
}

/**
 * `dvc add` for the dataset: hashes `images/` and `masks/` as DVC does and writes their `.dvc` files (keeping
 * extra fields). It never quietly shrinks the dataset: a tracked file missing here is refused (restore it with
 * `data pull`, or delete it on purpose with `data remove`), and so is an image without its mask or a mask without
 * its image. Temporary files of interrupted transfers are never recorded. Nothing is uploaded: push next.
 */
export async function addDataset(root: string, options: AddOptions = {}): Promise<Record<string, DvcOut>> {
  const workspace = await openDatasetWorkspace(root, options)
  try {
    const planned = await planAdd(workspace, new Set(), options.events ?? nullSink)
    return await writePlanned(workspace, planned)
  } finally {
    workspace.close()
  }
}

/** What `data remove` did: the files taken out of the dataset, and the new `.dvc` outputs. */
export interface RemoveResult {
  removed: string[]
  outs: Record<string, DvcOut>
}

/**
 * `data remove <file>…`: the explicit way to delete tracked files (paths relative to the dataset root,
 * `images/x.jpg`). Every named file must be tracked; an image goes with its mask (pairs stay whole). The local
 * files are deleted and the `.dvc` files rewritten — push next. The remote keeps the old objects (older versions
 * still name them).
 */
export async function removeFromDataset(
  root: string,
  files: readonly string[],
  options: AddOptions = {},
): Promise<RemoveResult> {
  const workspace = await openDatasetWorkspace(root, options)
  try {
    const removing = new Set(files.map((file) => file.replace(/\\/g, '/').replace(/^\.\//, '')))
    const planned = await planAdd(workspace, removing, options.events ?? nullSink)
    const tracked = new Set(planned.flatMap((plan) => plan.trackedPaths))
    const unknown = [...removing].filter((file) => !tracked.has(file))
    if (unknown.length > 0) {
      throw new WmsError(
        'usage/invalid-arguments',
        `Not tracked in the dataset: ${unknown.slice(0, 10).join(', ')}. Name files as images/<name> or masks/<name>, relative to ${workspace.datasetRelpath}.`,
      )
    }
    for (const file of removing) await rm(path.join(workspace.datasetDir, ...file.split('/')), { force: true })
    return { removed: [...removing].sort(), outs: await writePlanned(workspace, planned) }
  } finally {
    workspace.close()
  }
}

interface PlannedFolder {
  folder: TrackedFolder
  hashed: HashedDirectory
  /** Paths (`images/x.jpg`) the current `.dvc` file names. */
  trackedPaths: string[]
}

// Hash every folder (leaving out temporary files and the files being removed), then refuse what would lose data.
async function planAdd(
  workspace: DatasetWorkspace,
  removing: ReadonlySet<string>,
  events: EventSink,
): Promise<PlannedFolder[]> {
  const planned: PlannedFolder[] = []
  for (const folder of workspace.folders) {
    const hashed = await hashDirectory(folder.dir, {
      exclude: (relpath) => isTemporaryName(relpath) || removing.has(`${folder.name}/${relpath}`),
      onFile: (done, total) =>
        events.emit({ type: 'progress', step: 'push', done, total, unit: 'files', message: `hashing ${folder.name}` }),
    })
    const out = await readDvcOut(folder.dvcFile)
    const tracked =
      out === undefined
        ? []
        : ((await cachedManifest(workspace.cacheDir, out.md5)) ??
          (await fetchManifest(workspace.store(), out.md5, { cacheDir: workspace.cacheDir })))
    const lost = diffManifests(tracked, hashed.entries)
      .removed.map((entry) => `${folder.name}/${entry.relpath}`)
      .filter((file) => !removing.has(file))
    if (lost.length > 0) throw wouldDrop(lost)
    planned.push({ folder, hashed, trackedPaths: tracked.map((entry) => `${folder.name}/${entry.relpath}`) })
  }
  refuseUnpaired(planned.flatMap(({ folder, hashed }) => hashed.entries.map((e) => `${folder.name}/${e.relpath}`)))
  return planned
}

async function writePlanned(
  workspace: DatasetWorkspace,
  planned: readonly PlannedFolder[],
): Promise<Record<string, DvcOut>> {
  const outs: Record<string, DvcOut> = {}
  for (const { folder, hashed } of planned) {
    await cacheManifest(workspace.cacheDir, hashed.entries)
    outs[folder.name] = await writeDirDvcFile(folder.dvcFile, {
      md5: hashed.hash,
      size: hashed.size,
      nfiles: hashed.nfiles,
      path: folder.name,
    })
  }
  return outs
}

function wouldDrop(lost: readonly string[]): WmsError {
  return new WmsError(
    'dataset/missing-files',
    `${String(lost.length)} tracked file(s) are missing here; adding now would delete them from the dataset:\n${lost
      .slice(0, 20)
      .map((file) => `  - ${file}`)
      .join('\n')}${lost.length > 20 ? `\n  … and ${String(lost.length - 20)} more` : ''}`,
    {
      hint: 'Get them back with `training-runner data pull`; to delete them on purpose, run `training-runner data remove <file>…` (an image together with its mask).',
      details: { missing: lost },
    },
  )
}

// The dataset is pairs: an image without its mask (or the reverse) would train on nothing or break QA later.
function refuseUnpaired(relpaths: readonly string[]): void {
  const problems = pairDatasetFiles(relpaths).problems.filter(
    (problem) => problem.kind === 'orphan-image' || problem.kind === 'orphan-mask' || problem.kind === 'duplicate-stem',
  )
  if (problems.length === 0) return
  const lines = problems.slice(0, 20).map((problem) => {
    const why =
      problem.kind === 'orphan-image'
        ? 'image without a mask'
        : problem.kind === 'orphan-mask'
          ? 'mask without an image'
          : 'several files with one name'
    return `  - ${problem.files.join(', ')}: ${why}`
  })
  throw new WmsError(
    'dataset/unpaired-files',
    `${String(problems.length)} file(s) are not in image/mask pairs; nothing was recorded:\n${lines.join('\n')}`,
    {
      hint: 'Add the missing image or mask (same name in images/ and masks/), or remove the extra file, then run `training-runner data add` again.',
      details: { problems },
    },
  )
}
