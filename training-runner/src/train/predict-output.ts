import { lstat, realpath } from 'node:fs/promises'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'

/**
 * Output names for a batch of photos: `<stem>.mask.png` and `<stem>.overlay.jpg`, with `-2`, `-3`… added when two
 * photos share a base name (`a/x.jpg`, `b/x.png`), compared without case (macOS and Windows disks ignore it), so no
 * prediction overwrites another of the same run.
 */
export function uniqueStems(images: readonly string[]): string[] {
  const taken = new Set<string>()
  return images.map((file) => {
    const stem = path.basename(file).replace(/\.[^.]+$/, '')
    let candidate = stem
    for (let n = 2; taken.has(candidate.toLowerCase()); n += 1) candidate = `${stem}-${String(n)}`
    taken.add(candidate.toLowerCase())
    return candidate
  })
}

const isDir = async (dir: string): Promise<boolean> => (await lstat(dir).catch(() => undefined))?.isDirectory() === true
const exists = async (file: string): Promise<boolean> => (await lstat(file).catch(() => undefined)) !== undefined

/** A dataset root: `images/` and `masks/` side by side, or the DVC pointer files of either. */
async function isDatasetRoot(dir: string): Promise<boolean> {
  if ((await isDir(path.join(dir, 'images'))) && (await isDir(path.join(dir, 'masks')))) return true
  return (await exists(path.join(dir, 'images.dvc'))) || (await exists(path.join(dir, 'masks.dvc')))
}

/**
 * Refuses an output folder inside a dataset (`-o data/training/images`): predicted masks there would be taken for
 * training data by the next `data add` or merge. Checks the folder and every parent, through links.
 */
export async function refuseDatasetOutput(outDir: string): Promise<void> {
  let current = path.resolve(outDir)
  // The nearest existing ancestor, by its real path (a link to a dataset counts as the dataset).
  for (;;) {
    const real = await realpath(current).catch(() => undefined)
    if (real !== undefined) {
      current = path.join(real, path.relative(current, path.resolve(outDir)))
      break
    }
    const parent = path.dirname(current)
    if (parent === current) break
    current = parent
  }
  for (let dir = current; ; dir = path.dirname(dir)) {
    if (await isDatasetRoot(dir)) {
      throw new WmsError(
        'usage/invalid-arguments',
        `${outDir} is inside the dataset ${dir}; predictions are not written there.`,
        {
          hint: 'Choose an output folder outside the dataset (for example ./predictions).',
        },
      )
    }
    if (path.dirname(dir) === dir) return
  }
}
