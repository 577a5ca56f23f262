import { access } from 'node:fs/promises'
import path from 'node:path'
import { WORKSPACE_CONFIG_FILE } from '@wms/shared/config/workspace-config'
import type { QaPolicy } from '@wms/shared/config/qa-policy'
import { indexEntriesFromSamples, type DatasetIndexEntry } from '@wms/shared/qa/dataset-index'
import { openDatasetWorkspace, type StoreOptions } from '../dvc/dataset-workspace.js'
import { datasetVersionKey, readDvcOut } from '../dvc/dvc-files.js'
import { hashDirectory } from '../dvc/hash-directory.js'
import { fetchManifest } from '../dvc/manifests.js'
import type { EventSink } from '../events/event-sink.js'
import { discoverPairs } from './discover-pairs.js'
import { runQa } from './run-qa.js'

/** Options of the dataset-index builders. */
export interface IndexOptions extends StoreOptions {
  policy?: Partial<QaPolicy>
  /** Probe cache; unchanged files are never decoded twice. `null` for none. */
  cacheDir?: string | null
  events?: EventSink
  concurrency?: number
  signal?: AbortSignal
}

/** Index entries (content and perceptual hashes, sizes, foreground) of a dataset folder on disk. */
export async function indexDatasetFolder(dir: string, options: IndexOptions = {}): Promise<DatasetIndexEntry[]> {
  const discovered = await discoverPairs([dir])
  const report = await runQa({
    pairs: discovered.pairs,
    inputs: discovered.inputs,
    ...(options.policy === undefined ? {} : { policy: options.policy }),
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
    ...(options.events === undefined ? {} : { events: indexingEvents(options.events) }),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  })
  return indexEntriesFromSamples(report.samples)
}

/**
 * Indexing runs QA's probes, but it is no QA verdict: the reference dataset's own issues must not print
 * "✖ qa failed" next to the real run's result. Only its progress is passed on, named for what it is.
 */
function indexingEvents(events: EventSink): EventSink {
  return {
    emit(event) {
      if (event.type === 'progress') events.emit({ ...event, message: 'indexing the existing dataset' })
    },
  }
}

/** The existing dataset as QA sees it, and where that view came from. */
export interface ExistingDataset {
  /** `local`: the files are here and match the `.dvc` files; `manifests`: only the remote's manifests were read. */
  source: 'local' | 'manifests' | 'none'
  entries: DatasetIndexEntry[]
  /** The `.dvc` directory hashes this view belongs to (to know when it is stale). */
  version: string
}

/**
 * The workspace's current dataset (as its `.dvc` files name it) for QA's `against`: when the files are present and
 * unchanged, their full index (near-duplicates and outliers see them too); otherwise the `.dir` manifests from the
 * DVC remote — content hashes and names only, nothing downloaded. A workspace without a dataset version yet
 * has none. A remote that cannot be read is an error, never an empty dataset.
 */
export async function existingDatasetIndex(
  workspaceRoot: string,
  options: IndexOptions = {},
): Promise<ExistingDataset> {
  const workspace = await openDatasetWorkspace(workspaceRoot, options)
  try {
    const tracked = await Promise.all(
      workspace.folders.map(async (folder) => ({ folder, out: await readDvcOut(folder.dvcFile) })),
    )
    if (tracked.every(({ out }) => out === undefined)) return { source: 'none', entries: [], version: '' }
    const version = datasetVersionKey(tracked.map(({ out }) => out))

    const local = await Promise.all(
      tracked.map(async ({ folder, out }) => {
        if (out === undefined) return false
        const present = await access(folder.dir).then(
          () => true,
          () => false,
        )
        return present && (await hashDirectory(folder.dir)).hash === out.md5
      }),
    )
    if (local.every(Boolean)) {
      return { source: 'local', entries: await indexDatasetFolder(workspace.datasetDir, options), version }
    }
    const entries: DatasetIndexEntry[] = []
    for (const { folder, out } of tracked) {
      if (out === undefined) continue
      const manifest = await fetchManifest(workspace.store(), out.md5, {
        cacheDir: workspace.cacheDir,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      })
      for (const entry of manifest) entries.push({ relpath: `${folder.name}/${entry.relpath}`, md5: entry.md5 })
    }
    return { source: 'manifests', entries, version }
  } finally {
    workspace.close()
  }
}

/** True when `dir` is a workspace root (it holds `wms.config.json`). */
export async function isWorkspaceRoot(dir: string): Promise<boolean> {
  return access(path.join(dir, WORKSPACE_CONFIG_FILE)).then(
    () => true,
    () => false,
  )
}
