/**
 * Pairing images with masks by name, as a pure function of relative paths.
 *
 * A dataset folder holds `images/<stem>.<ext>` and `masks/<stem>.<ext>`; the extension may differ between the two
 * (`x.jpg` ↔ `x.png`) and is matched case-insensitively, unlike the old system, which silently ignored `.JPG`,
 * `.PNG` and `.jpeg` files. Where exact stems do not pair, the `<stem>_image.*` ↔ `<stem>_mask.*` convention does
 * (the seed's own example, `id_49_image.jpg` / `id_49_mask.png`, failed the old QA). Loose files (dropped one by
 * one, or at the top of a folder) pair by that convention only: a name alone cannot tell a photo from a mask.
 * Stems are compared after Unicode NFC normalisation, so a macOS (NFD) name pairs with a Linux (NFC) one.
 */

/** Extensions a pair's files may have (lower case, with the dot). */
export const SUPPORTED_EXTENSIONS = ['.jpg', '.jpeg', '.png'] as const

/** An image and its mask, paths relative to the dataset folder. */
export interface DatasetPair {
  stem: string
  image: string
  mask: string
}

/** Why files could not be paired. */
export type PairingProblemKind =
  | 'orphan-image'
  | 'orphan-mask'
  | 'duplicate-stem'
  | 'unsupported-extension'
  /** A loose file whose name says neither image nor mask (`x.jpg` rather than `x_image.jpg`). */
  | 'unknown-role'

/** Files that could not be paired, and why. */
export interface PairingProblem {
  kind: PairingProblemKind
  /** The files involved, relative to the dataset folder. */
  files: string[]
  stem: string
}

/** The outcome of pairing a folder's files. */
export interface PairingResult {
  pairs: DatasetPair[]
  problems: PairingProblem[]
}

/** One file to pair: an opaque `path` handed back in the result, its role if known, and its name within the role. */
export interface PairableFile {
  path: string
  /** `images`/`masks` from the folder it lives in; `loose` when only its name can tell. */
  role: 'images' | 'masks' | 'loose'
  /** Name inside the role folder, extension included (`sub/x.JPG`). */
  name: string
}

const ROLE_SUFFIX = /^(.*?)[_-](image|img|mask)$/i

/** Splits `images/a/b.JPG` into its folder role, stem and lower-case extension. */
export function parseDatasetPath(relpath: string): { role: 'images' | 'masks' | 'other'; stem: string; ext: string } {
  const normalized = relpath.replace(/\\/g, '/')
  const slash = normalized.indexOf('/')
  const top = slash < 0 ? '' : normalized.slice(0, slash)
  const rest = slash < 0 ? normalized : normalized.slice(slash + 1)
  const { stem, ext } = splitName(rest)
  const role = top === 'images' || top === 'masks' ? top : 'other'
  return { role, stem, ext }
}

/** Splits a file name into stem and lower-case extension (`a.b.PNG` → `a.b`, `.png`); dotfiles have no extension. */
export function splitName(name: string): { stem: string; ext: string } {
  const base = name.slice(name.lastIndexOf('/') + 1)
  const dot = base.lastIndexOf('.')
  if (dot <= 0) return { stem: name, ext: '' }
  const cut = name.length - (base.length - dot)
  return { stem: name.slice(0, cut), ext: name.slice(cut).toLowerCase() }
}

/** True for the extensions a pair may use (`.jpg`, `.jpeg`, `.png`, any case). */
export function isSupportedExtension(ext: string): boolean {
  return (SUPPORTED_EXTENSIONS as readonly string[]).includes(ext.toLowerCase())
}

/** The stem without an `_image`/`_mask` suffix, and which role that suffix names (`undefined` without one). */
export function stripRoleSuffix(stem: string): { stem: string; role: 'images' | 'masks' | undefined } {
  const match = ROLE_SUFFIX.exec(stem)
  if (match === null || match[1] === undefined || match[1] === '' || match[2] === undefined) {
    return { stem, role: undefined }
  }
  return { stem: match[1], role: match[2].toLowerCase() === 'mask' ? 'masks' : 'images' }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
/** Files that operating systems drop into folders; never part of a dataset. */
const SYSTEM_FILES = new Set(['thumbs.db', 'desktop.ini'])
const isHidden = (name: string): boolean => {
  const base = name.split('/').at(-1) ?? name
  return base.startsWith('.') || SYSTEM_FILES.has(base.toLowerCase())
}

interface Candidate {
  path: string
  role: 'images' | 'masks'
  /** Display stem (as written) and the NFC key it pairs by. */
  stem: string
  key: string
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else list.push(value)
}

/**
 * Pairs files by stem: first exact stems (per role), then, among what is left, the `_image`/`_mask` convention.
 * Deterministic: pairs and problems are sorted by stem. Hidden files (`.gitkeep`, `.DS_Store`) and system files
 * (`Thumbs.db`, `desktop.ini`) are ignored.
 */
export function pairFiles(files: readonly PairableFile[]): PairingResult {
  const problems: PairingProblem[] = []
  const candidates: Candidate[] = []
  for (const file of files) {
    if (isHidden(file.name)) continue
    const { stem, ext } = splitName(file.name)
    if (!isSupportedExtension(ext)) {
      problems.push({ kind: 'unsupported-extension', files: [file.path], stem })
      continue
    }
    if (file.role === 'loose') {
      const stripped = stripRoleSuffix(stem)
      if (stripped.role === undefined) problems.push({ kind: 'unknown-role', files: [file.path], stem })
      else
        candidates.push({ path: file.path, role: stripped.role, stem: stripped.stem, key: stripped.stem.normalize() })
      continue
    }
    candidates.push({ path: file.path, role: file.role, stem, key: stem.normalize() })
  }

  const pairs: DatasetPair[] = []
  const leftovers = matchByKey(candidates, (candidate) => candidate.key, pairs, problems, false)
  // Second chance for orphans: `x_image.jpg` in images/ with `x_mask.png` in masks/.
  const taken = new Set(pairs.map((pair) => pair.stem.normalize()))
  const byConvention = leftovers.map((candidate) => {
    const stripped = stripRoleSuffix(candidate.stem)
    const usable = stripped.role === candidate.role && !taken.has(stripped.stem.normalize())
    return usable ? { ...candidate, stem: stripped.stem, key: stripped.stem.normalize() } : candidate
  })
  matchByKey(byConvention, (candidate) => candidate.key, pairs, problems, true)

  pairs.sort((a, b) => compare(a.stem, b.stem))
  problems.sort((a, b) => compare(a.stem, b.stem) || compare(a.kind, b.kind))
  return { pairs, problems }
}

/** Pairs candidates sharing a key; returns the orphans unless `final`, when they become problems. */
function matchByKey(
  candidates: readonly Candidate[],
  keyOf: (candidate: Candidate) => string,
  pairs: DatasetPair[],
  problems: PairingProblem[],
  final: boolean,
): Candidate[] {
  const groups = new Map<string, Candidate[]>()
  for (const candidate of candidates) push(groups, keyOf(candidate), candidate)
  const leftovers: Candidate[] = []
  for (const group of groups.values()) {
    const images = group.filter((candidate) => candidate.role === 'images').sort((a, b) => compare(a.path, b.path))
    const masks = group.filter((candidate) => candidate.role === 'masks').sort((a, b) => compare(a.path, b.path))
    const [image] = images
    const [mask] = masks
    const stem = (image ?? mask)?.stem ?? ''
    if (images.length > 1 || masks.length > 1) {
      problems.push({ kind: 'duplicate-stem', files: [...images, ...masks].map((c) => c.path), stem })
    } else if (image !== undefined && mask !== undefined) {
      pairs.push({ stem, image: image.path, mask: mask.path })
    } else if (!final) {
      leftovers.push(...group)
    } else if (image !== undefined) {
      problems.push({ kind: 'orphan-image', files: [image.path], stem })
    } else if (mask !== undefined) {
      problems.push({ kind: 'orphan-mask', files: [mask.path], stem })
    }
  }
  return leftovers
}

/**
 * Pairs `images/*` with `masks/*` of a dataset folder (relative paths, forward slashes). Files at the top of the
 * folder take part only when they follow the `_image`/`_mask` convention; other folders are ignored.
 */
export function pairDatasetFiles(relpaths: readonly string[]): PairingResult {
  const files: PairableFile[] = []
  for (const relpath of relpaths) {
    const normalized = relpath.replace(/\\/g, '/')
    const slash = normalized.indexOf('/')
    const top = slash < 0 ? '' : normalized.slice(0, slash)
    if (top === 'images' || top === 'masks') {
      files.push({ path: relpath, role: top, name: normalized.slice(slash + 1) })
    } else if (slash < 0 && stripRoleSuffix(splitName(normalized).stem).role !== undefined) {
      files.push({ path: relpath, role: 'loose', name: normalized })
    }
  }
  return pairFiles(files)
}
