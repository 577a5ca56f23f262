import type { Dirent } from 'node:fs'
import { readdir, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import { pairFiles, type PairableFile, type PairingProblem } from '@wms/shared/dataset/pairing'
import type { DatasetFile } from './dataset-files.js'

/**
 * Finding image/mask pairs in what the user gave: dataset folders (`images/` + `masks/`), a lone `images/` or
 * `masks/` folder, other folders (their top-level files are loose), and dropped files. Loose files pair by the
 * `<stem>_image.*` ↔ `<stem>_mask.*` convention, or by living in folders named images/masks. Symlinks are listed,
 * not followed: probing decides whether they stay inside the dataset.
 */

/** One pair to check: its id (stem) and its two files. */
export interface QaPairInput {
  sampleId: string
  image: DatasetFile
  mask: DatasetFile
}

/** A pairing problem with the absolute paths of its files besides the display paths in `files`. */
export interface DiscoveredPairingProblem extends PairingProblem {
  /** Absolute paths, in the order of `files`. */
  paths: string[]
}

/** The pairs found in the inputs, and what could not be paired. */
export interface DiscoveredPairs {
  /** The inputs as given, resolved to absolute paths. */
  inputs: string[]
  pairs: QaPairInput[]
  problems: DiscoveredPairingProblem[]
  /** Files named in `problems`. */
  unpairedFiles: number
  /** When the input was one dataset folder: its absolute path (fixes keep its layout). */
  datasetRoot?: string
}

const ROLE_FOLDER = /^(images?|masks?)$/i
const roleOfFolder = (name: string): 'images' | 'masks' | undefined => {
  if (!ROLE_FOLDER.test(name)) return undefined
  return name.toLowerCase().startsWith('image') ? 'images' : 'masks'
}

interface Found extends PairableFile {
  file: DatasetFile
}

/** `full` relative to `dir`, with forward slashes; a prefix cut when `full` lies below `dir` (path.relative is slow). */
function relativeBelow(dir: string, full: string): string {
  const prefix = dir.endsWith(path.sep) ? dir : `${dir}${path.sep}`
  const relative = full.startsWith(prefix) ? full.slice(prefix.length) : path.relative(dir, full)
  return path.sep === '/' ? relative : relative.split(path.sep).join('/')
}

async function listRoleFolder(folder: string, role: 'images' | 'masks', root: string, base: string): Promise<Found[]> {
  const entries: Dirent[] = await readdir(folder, { recursive: true, withFileTypes: true })
  const found: Found[] = []
  for (const entry of entries) {
    // Pipes, sockets and devices are listed too, so probing reports them instead of skipping them silently.
    if (entry.isDirectory()) continue
    const full = path.join(entry.parentPath, entry.name)
    const name = relativeBelow(folder, full)
    const relpath = relativeBelow(base, full)
    found.push({ path: full, role, name, file: { path: full, relpath, root } })
  }
  return found
}

async function subfolders(dir: string): Promise<Map<'images' | 'masks', string>> {
  const roles = new Map<'images' | 'masks', string>()
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const role = entry.isDirectory() ? roleOfFolder(entry.name) : undefined
    if (role !== undefined && !roles.has(role)) roles.set(role, path.join(dir, entry.name))
  }
  return roles
}

/** Finds pairs in dropped files and/or folders. Throws `fs/not-found` for an input that does not exist. */
export async function discoverPairs(inputs: readonly string[], cwd = process.cwd()): Promise<DiscoveredPairs> {
  if (inputs.length === 0) throw new WmsError('usage/invalid-arguments', 'No dataset folder or files given.')
  const absolute = inputs.map((input) => path.resolve(cwd, input))
  const found: Found[] = []
  let datasetRoot: string | undefined
  const base = absolute.length === 1 ? (absolute[0] ?? cwd) : commonAncestor(absolute.map((p) => path.dirname(p)))
  for (const input of absolute) {
    let info
    try {
      info = await stat(input)
    } catch {
      throw new WmsError('fs/not-found', `${input} does not exist.`, { hint: 'Check the path and try again.' })
    }
    if (info.isDirectory()) {
      const root = await realpath(input)
      const ownRole = roleOfFolder(path.basename(input))
      const roles = await subfolders(input)
      if (roles.size > 0) {
        if (absolute.length === 1) datasetRoot = input
        for (const [role, folder] of roles) found.push(...(await listRoleFolder(folder, role, root, base)))
        found.push(...(await looseFilesOf(input, root, base, true)))
      } else if (ownRole !== undefined) {
        const displayBase = absolute.length === 1 ? path.dirname(input) : base
        found.push(...(await listRoleFolder(input, ownRole, root, displayBase)))
      } else {
        found.push(...(await looseFilesOf(input, root, base, false)))
      }
    } else {
      const dir = path.dirname(input)
      const root = await realpath(dir)
      const role = roleOfFolder(path.basename(dir)) ?? 'loose'
      const relpath =
        absolute.length === 1 ? path.basename(input) : path.relative(base, input).split(path.sep).join('/')
      found.push({ path: input, role, name: path.basename(input), file: { path: input, relpath, root } })
    }
  }

  const byPath = new Map(found.map((item) => [item.path, item]))
  const result = pairFiles(found)
  const display = (p: string): string => byPath.get(p)?.file.relpath ?? p
  const pairs: QaPairInput[] = []
  for (const pair of result.pairs) {
    const image = byPath.get(pair.image)
    const mask = byPath.get(pair.mask)
    if (image !== undefined && mask !== undefined)
      pairs.push({ sampleId: pair.stem, image: image.file, mask: mask.file })
  }
  const problems = result.problems.map((problem) => ({
    ...problem,
    files: problem.files.map(display),
    paths: problem.files,
  }))
  const unpairedFiles = new Set(result.problems.flatMap((problem) => problem.files)).size
  const discovered: DiscoveredPairs = { inputs: absolute, pairs, problems, unpairedFiles }
  if (datasetRoot !== undefined) discovered.datasetRoot = datasetRoot
  return discovered
}

/** Top-level files of a folder as loose files; in a dataset folder only those following the naming convention. */
async function looseFilesOf(dir: string, root: string, base: string, conventionOnly: boolean): Promise<Found[]> {
  const found: Found[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    // Pipes, sockets and devices are listed too, so probing reports them instead of skipping them silently.
    if (entry.isDirectory()) continue
    if (conventionOnly && !/[_-](image|img|mask)\.[^.]+$/i.test(entry.name)) continue
    const full = path.join(dir, entry.name)
    const relpath = path.relative(base, full).split(path.sep).join('/')
    found.push({ path: full, role: 'loose', name: entry.name, file: { path: full, relpath, root } })
  }
  return found
}

function commonAncestor(paths: readonly string[]): string {
  const [first, ...rest] = paths
  if (first === undefined) return path.parse(process.cwd()).root
  let parts = first.split(path.sep)
  for (const other of rest) {
    const otherParts = other.split(path.sep)
    let index = 0
    while (index < parts.length && parts[index] === otherParts[index]) index += 1
    parts = parts.slice(0, index)
  }
  return parts.join(path.sep) || path.sep
}
