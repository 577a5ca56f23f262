import { compareCodePoints } from './python-json.js'
import type { DirEntry } from './dir-manifest.js'

/** A file whose content differs between two versions. */
export interface ChangedEntry {
  relpath: string
  from: string
  to: string
}

/** What changed from one dataset version to another ("what this adds"), paths sorted. */
export interface ManifestDiff {
  added: DirEntry[]
  removed: DirEntry[]
  changed: ChangedEntry[]
  /** Files present in both versions with the same content. */
  unchanged: number
}

/** Added, removed and changed files between manifests `a` (before) and `b` (after). */
export function diffManifests(a: readonly DirEntry[], b: readonly DirEntry[]): ManifestDiff {
  const before = new Map(a.map((entry) => [entry.relpath, entry.md5]))
  const after = new Map(b.map((entry) => [entry.relpath, entry.md5]))
  const added: DirEntry[] = []
  const changed: ChangedEntry[] = []
  let unchanged = 0
  for (const [relpath, md5] of after) {
    const old = before.get(relpath)
    if (old === undefined) added.push({ md5, relpath })
    else if (old !== md5) changed.push({ relpath, from: old, to: md5 })
    else unchanged += 1
  }
  const removed: DirEntry[] = []
  for (const [relpath, md5] of before) if (!after.has(relpath)) removed.push({ md5, relpath })
  const byPath = (x: { relpath: string }, y: { relpath: string }): number => compareCodePoints(x.relpath, y.relpath)
  return { added: added.sort(byPath), removed: removed.sort(byPath), changed: changed.sort(byPath), unchanged }
}

/** Prefixes every path of a diff (`images/` + relpath), to combine the diffs of several tracked folders. */
export function prefixDiff(diff: ManifestDiff, prefix: string): ManifestDiff {
  return {
    added: diff.added.map((entry) => ({ ...entry, relpath: `${prefix}${entry.relpath}` })),
    removed: diff.removed.map((entry) => ({ ...entry, relpath: `${prefix}${entry.relpath}` })),
    changed: diff.changed.map((entry) => ({ ...entry, relpath: `${prefix}${entry.relpath}` })),
    unchanged: diff.unchanged,
  }
}

/** Concatenates diffs of disjoint folders (already prefixed). */
export function combineDiffs(diffs: readonly ManifestDiff[]): ManifestDiff {
  return {
    added: diffs.flatMap((diff) => diff.added),
    removed: diffs.flatMap((diff) => diff.removed),
    changed: diffs.flatMap((diff) => diff.changed),
    unchanged: diffs.reduce((sum, diff) => sum + diff.unchanged, 0),
  }
}

/** True when nothing was added, removed or changed. */
export function isEmptyDiff(diff: ManifestDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0
}
