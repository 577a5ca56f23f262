import path from 'node:path'
import type { WorkspaceConfig } from '@wms/shared/config/workspace-config'
import { SUPPORTED_EXTENSIONS } from '@wms/shared/dataset/pairing'
import { createRemoteStore, type RemoteStoreOverrides } from '../adapters/storage/create-remote-store.js'
import type { RemoteStore } from '../adapters/storage/remote-store.js'
import { readWorkspaceConfig } from '../workspace/workspace-config-file.js'

/** The two tracked folders of a dataset, each with its own `.dvc` file. */
export const DATASET_FOLDERS = ['images', 'masks'] as const

/** `images` or `masks`. */
export type DatasetFolder = (typeof DATASET_FOLDERS)[number]

/** One tracked folder of the dataset. */
export interface TrackedFolder {
  name: DatasetFolder
  /** Absolute path of the folder. */
  dir: string
  /** Absolute path of its `.dvc` file. */
  dvcFile: string
  /** Path of the `.dvc` file relative to the repository root, forward slashes (for `git show`). */
  dvcRelpath: string
  /** Path of the folder relative to the repository root, forward slashes (for `git rm --cached`). */
  relpath: string
}

/** A workspace seen from the dataset's side: where things are, and its remote. */
export interface DatasetWorkspace {
  root: string
  config: WorkspaceConfig
  /** `dataset.root` relative to the workspace root, forward slashes. */
  datasetRelpath: string
  datasetDir: string
  folders: readonly TrackedFolder[]
  /** Local cache of `.dir` manifests (`.wms/cache/dvc`). */
  cacheDir: string
  /** The DVC remote (opened on first use). */
  store(): RemoteStore
  /** Releases the remote's connections. */
  close(): void
}

/** How to reach the remote: an already open store (tests, the app's service), or overrides for creating one. */
export interface StoreOptions {
  store?: RemoteStore
  storeOverrides?: RemoteStoreOverrides
}

/** Reads the workspace config and lays out the dataset's folders, `.dvc` files and remote. */
export async function openDatasetWorkspace(root: string, options: StoreOptions = {}): Promise<DatasetWorkspace> {
  const absolute = path.resolve(root)
  const config = await readWorkspaceConfig(absolute)
  const datasetRelpath = config.dataset.root.split(path.sep).join('/').replace(/\/+$/, '')
  const datasetDir = path.resolve(absolute, datasetRelpath)
  let opened: RemoteStore | undefined = options.store
  return {
    root: absolute,
    config,
    datasetRelpath,
    datasetDir,
    folders: DATASET_FOLDERS.map((name) => ({
      name,
      dir: path.join(datasetDir, name),
      dvcFile: path.join(datasetDir, `${name}.dvc`),
      dvcRelpath: `${datasetRelpath}/${name}.dvc`,
      relpath: `${datasetRelpath}/${name}`,
    })),
    cacheDir: path.join(absolute, '.wms', 'cache', 'dvc'),
    store: () => (opened ??= createRemoteStore(config.dataset.remote, absolute, options.storeOverrides)),
    close: () => {
      if (options.store === undefined) opened?.close()
      opened = options.store
    },
  }
}

/**
 * True for a file the merge takes from a data branch: a supported image extension in any case (`.JPG`, `.jpeg`,
 * `.PNG` — the old system ignored upper-case phone files) and not hidden (`.gitkeep`, `.DS_Store`).
 */
export function isDatasetFile(relpath: string): boolean {
  const base = relpath.split('/').at(-1) ?? relpath
  if (base.startsWith('.')) return false
  const dot = base.lastIndexOf('.')
  if (dot <= 0) return false
  return (SUPPORTED_EXTENSIONS as readonly string[]).includes(base.slice(dot).toLowerCase())
}
