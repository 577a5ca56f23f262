import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { pairDatasetFiles, type PairingResult } from '@wms/shared/dataset/pairing'

/** Relative paths (forward slashes) of every file under `dir/images` and `dir/masks`, recursively. */
export async function listDatasetFiles(dir: string): Promise<string[]> {
  const files: string[] = []
  for (const role of ['images', 'masks']) {
    const root = path.join(dir, role)
    let entries
    try {
      entries = await readdir(root, { recursive: true, withFileTypes: true })
    } catch (thrown) {
      if ((thrown as NodeJS.ErrnoException).code === 'ENOENT') continue
      throw thrown
    }
    for (const entry of entries) {
      if (!entry.isFile()) continue
      const full = path.join(entry.parentPath, entry.name)
      files.push(path.relative(dir, full).split(path.sep).join('/'))
    }
  }
  return files.sort()
}

/** Pairs the images and masks of a dataset folder (`images/`, `masks/`). */
export async function listDatasetPairs(dir: string): Promise<PairingResult> {
  return pairDatasetFiles(await listDatasetFiles(dir))
}
