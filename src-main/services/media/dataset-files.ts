import { access, mkdir } from 'node:fs/promises'
import path from 'node:path'
import { fetchManifest, isInside, openDatasetWorkspace, readDvcOut } from 'training-runner'

/**
 * Finds a file of the workspace's current dataset for display (a duplicate's original, a colliding name): the
 * local copy when the dataset is here, otherwise that one object from the DVC remote — never the whole dataset.
 */
export function createDatasetFileResolver(workspaceRoot: string): (relpath: string) => Promise<string | undefined> {
  return async (relpath) => {
    const workspace = await openDatasetWorkspace(workspaceRoot)
    try {
      const local = path.resolve(workspace.datasetDir, relpath)
      if (!isInside(workspace.datasetDir, local)) return undefined
      if (await exists(local)) return local
      const folder = workspace.folders.find((candidate) => relpath.startsWith(`${candidate.name}/`))
      const out = folder === undefined ? undefined : await readDvcOut(folder.dvcFile)
      if (folder === undefined || out === undefined) return undefined
      const manifest = await fetchManifest(workspace.store(), out.md5, { cacheDir: workspace.cacheDir })
      const entry = manifest.find((candidate) => `${folder.name}/${candidate.relpath}` === relpath)
      if (entry === undefined) return undefined
      const objects = path.join(workspaceRoot, '.wms', 'cache', 'dataset-objects')
      const target = path.join(objects, entry.md5)
      if (!(await exists(target))) {
        await mkdir(objects, { recursive: true })
        await workspace.store().download(entry.md5, target)
      }
      return target
    } finally {
      workspace.close()
    }
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  )
}
