import { parseDatasetPath } from '@wms/shared/dataset/pairing'
import { placeDroppedFile } from '@wms/shared/staging/dataset-layout'
import { gitPathProblem } from '@wms/shared/staging/git-path'
import type { RejectKind } from './staging-manifest.js'

/** Where a dropped file goes in the dataset layout, or why it cannot go. */
export type Placement = { ok: true; relpath: string } | { ok: false; reason: string; kind: RejectKind }

/** Places a dropped file by its path (folder or name suffix), refusing names git cannot hold. */
export function placeFile(droppedPath: string, name: string): Placement {
  const placement = placeDroppedFile(droppedPath)
  if (!placement.ok) {
    return {
      ok: false,
      kind: 'unknown-role',
      reason: `${name} is not in an images/ or masks/ folder and its name does not end in _image or _mask, so WMS Studio cannot tell whether it is a photo or a mask. Drop the folder that holds images/ and masks/, or rename it.`,
    }
  }
  const problem = gitPathProblem(placement.relpath)
  if (problem !== undefined) {
    return {
      ok: false,
      kind: 'git-path',
      reason: `${droppedPath} cannot be submitted: ${problem}, and a git branch cannot hold it. Move or rename the file and add it again.`,
    }
  }
  return placement
}

/** A copy of `record` without `keys`. */
export function without<V>(record: Record<string, V>, keys: readonly string[]): Record<string, V> {
  const drop = new Set(keys)
  return Object.fromEntries(Object.entries(record).filter(([key]) => !drop.has(key)))
}

/** The pair stem of a dataset relpath (`images/sub/x.jpg` → `sub/x`). */
export function stemOf(relpath: string): string {
  return parseDatasetPath(relpath).stem
}
