import { parseDatasetPath, SUPPORTED_EXTENSIONS } from '../dataset/pairing.js'
import { sortDirEntries, type DirEntry } from './dir-manifest.js'
import { compareCodePoints } from './python-json.js'
import type { Replacement } from './replacements.js'

/**
 * The pure core of the append-only merge: main's dataset + a data branch's files → the new dataset, or the list
 * of collisions that stop it. No I/O: the runner gathers the inputs (manifests from the remote, hashes of the
 * branch's files, the replacements declaration) and performs the plan.
 *
 * Paths here are relative to the dataset root and include the folder (`images/x.jpg`, `masks/x.png`).
 */

/** A file the branch brings. */
export interface MergeAddition extends DirEntry {
  /**
   * The dataset entry this file already replaced in an earlier run of the merge on this branch (from the branch's
   * committed manifest), so a rerun in a fresh checkout accepts it while main still has that entry.
   */
  replacedBefore?: DirEntry
}

/** Everything the plan is computed from. */
export interface MergeInput {
  /** Main's dataset. */
  base: readonly DirEntry[]
  /** The branch's files. */
  additions: readonly MergeAddition[]
  /** The branch's declared replacements. */
  replacements: readonly Replacement[]
}

/** Why a branch file cannot be merged as it is. */
export interface MergeCollision {
  kind: 'same-path' | 'same-stem' | 'same-stem-in-branch'
  /** The branch file. */
  relpath: string
  md5: string
  /** What it collides with: main's entries (or, for `same-stem-in-branch`, the branch's other file). */
  existing: DirEntry[]
}

/** One replaced file. */
export interface MergeReplacement {
  from: DirEntry
  to: DirEntry
  reason: string
}

/** File counts of one folder (`images`, `masks`) or of the whole dataset. */
export interface MergeCounts {
  /** Files in main's dataset. */
  existing: number
  /** Branch files added under a new path. */
  new: number
  /** Branch files that replace a file of main's dataset. */
  replaced: number
  /** Branch files identical to a file already in the dataset (same path, same content). */
  unchanged: number
  /** Files in the merged dataset. */
  total: number
}

/** The merge, computed. */
export interface MergePlan {
  /** The merged dataset, sorted like a `.dir` manifest. */
  entries: DirEntry[]
  added: DirEntry[]
  replaced: MergeReplacement[]
  unchanged: DirEntry[]
  collisions: MergeCollision[]
  /** Declarations that do not match what the branch does (declared but not added, or nothing to replace). */
  replacementProblems: string[]
  counts: MergeCounts
  /** Counts per top folder (`images`, `masks`). */
  countsByFolder: Record<string, MergeCounts>
}

const DECLARED_BEFORE = 'declared by an earlier merge of this branch'

/** Plans the merge; check `collisions` and `replacementProblems` before performing it. */
export function planMerge(input: MergeInput): MergePlan {
  const base = new Map(input.base.map((entry) => [entry.relpath, entry]))
  const baseByStem = groupByStem(input.base)
  const declared = new Map(input.replacements.map((replacement) => [replacement.path, replacement]))
  const additionsByStem = groupByStem(input.additions)
  const removed = new Set<string>()
  const added: DirEntry[] = []
  const replaced: MergeReplacement[] = []
  const unchanged: DirEntry[] = []
  const collisions: MergeCollision[] = []
  const replacementProblems: string[] = []
  const usedDeclarations = new Set<string>()

  for (const addition of [...input.additions].sort((a, b) => compareCodePoints(a.relpath, b.relpath))) {
    const entry = { md5: addition.md5, relpath: addition.relpath }
    const siblings = (additionsByStem.get(stemKey(addition.relpath)) ?? []).filter(
      (other) => other.relpath !== addition.relpath,
    )
    if (siblings.length > 0) {
      collisions.push({ kind: 'same-stem-in-branch', ...entry, existing: siblings.map(plain) })
      continue
    }
    const same = base.get(addition.relpath)
    if (same?.md5 === addition.md5) {
      unchanged.push(entry)
      if (declared.has(addition.relpath)) usedDeclarations.add(addition.relpath)
      continue
    }
    // Every entry of main with this path or stem (an identical same-path entry was handled above).
    const targets = baseByStem.get(stemKey(addition.relpath)) ?? []
    if (targets.length === 0) {
      added.push(entry)
      continue
    }
    const declaration = declared.get(addition.relpath)
    const before = addition.replacedBefore
    const replacedBefore =
      before !== undefined &&
      targets.length === 1 &&
      targets[0]?.relpath === before.relpath &&
      targets[0].md5 === before.md5
    if (declaration === undefined && !replacedBefore) {
      collisions.push({ kind: same === undefined ? 'same-stem' : 'same-path', ...entry, existing: targets.map(plain) })
      continue
    }
    if (declaration !== undefined) usedDeclarations.add(addition.relpath)
    for (const target of targets) {
      removed.add(target.relpath)
      replaced.push({ from: plain(target), to: entry, reason: declaration?.reason ?? DECLARED_BEFORE })
    }
  }

  const additionPaths = new Set(input.additions.map((addition) => addition.relpath))
  for (const declaration of input.replacements) {
    if (usedDeclarations.has(declaration.path)) continue
    replacementProblems.push(
      additionPaths.has(declaration.path)
        ? `${declaration.path} is declared as a replacement, but the dataset has no file with that path or stem to replace`
        : `${declaration.path} is declared as a replacement, but this branch does not add that file`,
    )
  }

  const merged = new Map<string, DirEntry>()
  for (const entry of input.base) if (!removed.has(entry.relpath)) merged.set(entry.relpath, plain(entry))
  for (const entry of added) merged.set(entry.relpath, entry)
  for (const { to } of replaced) merged.set(to.relpath, to)
  const entries = sortDirEntries([...merged.values()])

  // One branch file may replace two old files (main had `x.jpg` and `x.jpeg`); it counts once.
  const replacing = [...new Set(replaced.map(({ to }) => to.relpath))]
  return {
    entries,
    added: sortDirEntries(added),
    replaced: replaced.sort((a, b) => compareCodePoints(a.to.relpath, b.to.relpath)),
    unchanged: sortDirEntries(unchanged),
    collisions,
    replacementProblems,
    counts: countsOf(input.base, added, replacing, unchanged, entries),
    countsByFolder: Object.fromEntries(
      ['images', 'masks'].map((folder) => {
        const inFolder = (relpath: string): boolean => relpath.startsWith(`${folder}/`)
        return [
          folder,
          countsOf(
            input.base.filter((entry) => inFolder(entry.relpath)),
            added.filter((entry) => inFolder(entry.relpath)),
            replacing.filter(inFolder),
            unchanged.filter((entry) => inFolder(entry.relpath)),
            entries.filter((entry) => inFolder(entry.relpath)),
          ),
        ]
      }),
    ),
  }
}

/** Describes collisions for an error message, one line each (at most `limit` lines). */
export function describeCollisions(collisions: readonly MergeCollision[], limit = 50): string[] {
  const lines = collisions.slice(0, limit).map((collision) => {
    const others = collision.existing.map((entry) => entry.relpath).join(', ')
    switch (collision.kind) {
      case 'same-path':
        return `${collision.relpath}: already in the dataset with different content`
      case 'same-stem':
        return `${collision.relpath}: the dataset already has ${others} (same name, other extension)`
      case 'same-stem-in-branch':
        return `${collision.relpath}: the branch also adds ${others} (same name)`
    }
  })
  if (collisions.length > limit) lines.push(`… and ${String(collisions.length - limit)} more`)
  return lines
}

function countsOf(
  base: readonly DirEntry[],
  added: readonly DirEntry[],
  replaced: readonly string[],
  unchanged: readonly DirEntry[],
  entries: readonly DirEntry[],
): MergeCounts {
  return {
    existing: base.length,
    new: added.length,
    replaced: replaced.length,
    unchanged: unchanged.length,
    total: entries.length,
  }
}

function plain(entry: DirEntry): DirEntry {
  return { md5: entry.md5, relpath: entry.relpath }
}

// Files of one folder with one stem (`images/x.jpg`, `images/x.PNG`) are the same sample; other files
// (unsupported extensions) keep their whole path as key, so they only collide on the exact path.
function stemKey(relpath: string): string {
  const { role, stem, ext } = parseDatasetPath(relpath)
  if (role === 'other' || !(SUPPORTED_EXTENSIONS as readonly string[]).includes(ext)) return `path:${relpath}`
  return `${role}/${stem}`
}

function groupByStem<T extends DirEntry>(entries: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const entry of entries) {
    const key = stemKey(entry.relpath)
    groups.set(key, [...(groups.get(key) ?? []), entry])
  }
  return groups
}
