/**
 * Pairing images with masks by name, as a pure function of relative paths.
 *
 * A dataset folder holds `images/<stem>.<ext>` and `masks/<stem>.<ext>`; the extension may differ between the two
 * (`x.jpg` ↔ `x.png`) and is matched case-insensitively, unlike the old system, which silently ignored `.JPG`,
 * `.PNG` and `.jpeg` files.
 */

/** Extensions a pair's files may have (lower case, with the dot). */
export const SUPPORTED_EXTENSIONS = ['.jpg', '.jpeg', '.png'] as const

/** An image and its mask, paths relative to the dataset folder. */
export interface DatasetPair {
  stem: string
  image: string
  mask: string
}

/** Files that could not be paired, and why. */
export interface PairingProblem {
  kind: 'orphan-image' | 'orphan-mask' | 'duplicate-stem' | 'unsupported-extension'
  /** The files involved, relative to the dataset folder. */
  files: string[]
  stem: string
}

/** The outcome of pairing a folder's files. */
export interface PairingResult {
  pairs: DatasetPair[]
  problems: PairingProblem[]
}

/** Splits `images/a/b.JPG` into its folder role, stem and lower-case extension. */
export function parseDatasetPath(relpath: string): { role: 'images' | 'masks' | 'other'; stem: string; ext: string } {
  const normalized = relpath.replace(/\\/g, '/')
  const slash = normalized.indexOf('/')
  const top = slash < 0 ? '' : normalized.slice(0, slash)
  const rest = slash < 0 ? normalized : normalized.slice(slash + 1)
  const dot = rest.lastIndexOf('.')
  const stem = dot <= 0 ? rest : rest.slice(0, dot)
  const ext = dot <= 0 ? '' : rest.slice(dot).toLowerCase()
  const role = top === 'images' || top === 'masks' ? top : 'other'
  return { role, stem, ext }
}

function isSupported(ext: string): boolean {
  return (SUPPORTED_EXTENSIONS as readonly string[]).includes(ext)
}

/**
 * Pairs `images/*` with `masks/*` by stem. Deterministic: pairs and problems are sorted by stem.
 * Hidden files (`.gitkeep`, `.DS_Store`) are ignored.
 */
export function pairDatasetFiles(relpaths: readonly string[]): PairingResult {
  const images = new Map<string, string[]>()
  const masks = new Map<string, string[]>()
  const problems: PairingProblem[] = []
  for (const relpath of relpaths) {
    const base = relpath.split('/').at(-1) ?? relpath
    if (base.startsWith('.')) continue
    const { role, stem, ext } = parseDatasetPath(relpath)
    if (role === 'other') continue
    if (!isSupported(ext)) {
      problems.push({ kind: 'unsupported-extension', files: [relpath], stem })
      continue
    }
    const bucket = role === 'images' ? images : masks
    bucket.set(stem, [...(bucket.get(stem) ?? []), relpath])
  }
  const pairs: DatasetPair[] = []
  const stems = [...new Set([...images.keys(), ...masks.keys()])].sort()
  for (const stem of stems) {
    const imageFiles = (images.get(stem) ?? []).sort()
    const maskFiles = (masks.get(stem) ?? []).sort()
    if (imageFiles.length > 1 || maskFiles.length > 1) {
      problems.push({ kind: 'duplicate-stem', files: [...imageFiles, ...maskFiles], stem })
      continue
    }
    const [image] = imageFiles
    const [mask] = maskFiles
    if (image !== undefined && mask !== undefined) pairs.push({ stem, image, mask })
    else if (image !== undefined) problems.push({ kind: 'orphan-image', files: [image], stem })
    else if (mask !== undefined) problems.push({ kind: 'orphan-mask', files: [mask], stem })
  }
  problems.sort((a, b) => (a.stem < b.stem ? -1 : a.stem > b.stem ? 1 : 0))
  return { pairs, problems }
}
