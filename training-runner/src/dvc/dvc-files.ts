import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import {
  dirDvcFile,
  parseDvcFile,
  serializeDvcFile,
  singleOut,
  type DvcFile,
  type DvcOut,
} from '@wms/shared/dvc/dvc-file'
import { openRepo, runGit } from '../adapters/git/run-git.js'
import { temporaryPath } from '../adapters/storage/verified-copy.js'
import { shellQuote } from '@wms/shared/util/printable'
import { DATASET_FOLDERS } from './dataset-workspace.js'

/** Reads and parses a `.dvc` file; `undefined` when it does not exist. Throws for a file that is not DVC 3. */
export async function readDvcFile(file: string): Promise<DvcFile | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (thrown) {
    if ((thrown as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new WmsError('fs/io', `Cannot read ${file}: ${(thrown as Error).message}`, { cause: thrown })
  }
  return parseDvcFile(text, file)
}

/** The single output of a `.dvc` file tracking one folder; `undefined` when the file does not exist. */
export async function readDvcOut(file: string): Promise<DvcOut | undefined> {
  const parsed = await readDvcFile(file)
  return parsed === undefined ? undefined : singleOut(parsed, file)
}

/**
 * Writes a `.dvc` file atomically (temporary file + rename): a crash leaves the old or the new file, never half
 * of one. Returns whether the content changed.
 */
export async function writeDvcFile(file: string, dvc: DvcFile): Promise<boolean> {
  const text = serializeDvcFile(dvc)
  const current = await readFile(file, 'utf8').catch(() => undefined)
  if (current === text) return false
  const temporary = temporaryPath(file)
  try {
    await writeFile(temporary, text)
    await rename(temporary, file)
  } finally {
    await rm(temporary, { force: true })
  }
  return true
}

/**
 * Points a folder's `.dvc` file at a new directory version (as `dvc add` does), keeping any extra fields of the
 * current file (`desc`, `remote`, …). Atomic; returns the output written.
 */
export async function writeDirDvcFile(
  file: string,
  version: { md5: string; size: number; nfiles: number; path: string },
): Promise<DvcOut> {
  const current = await readDvcFile(file).catch(() => undefined)
  const next = dirDvcFile(version)
  const [out] = next.outs
  if (out === undefined) throw new Error('dirDvcFile returned no output')
  const extra = current?.outs[0]?.extra
  if (extra !== undefined) out.extra = extra
  if (current?.extra !== undefined) next.extra = current.extra
  await writeDvcFile(file, next)
  return out
}

/** Resolves a revision (`origin/main`, a sha) to a commit, with an actionable error when it is unknown. */
export async function resolveCommit(repo: string, revision: string): Promise<string> {
  const git = openRepo(repo)
  let commit = ''
  let cause: unknown
  try {
    // `--quiet` exits 1 with no output for an unknown revision; simple-git may then resolve with ''.
    commit = (await git.raw(['rev-parse', '--verify', '--quiet', `${revision}^{commit}`])).trim()
  } catch (thrown) {
    cause = thrown
  }
  if (/^[0-9a-f]{40,64}$/.test(commit)) return commit
  const [remote, ...branch] = revision.split('/')
  throw new WmsError('git/failed', `The git revision "${revision}" does not exist in ${repo}.`, {
    hint:
      branch.length > 0
        ? `Fetch it first (e.g. \`git fetch ${shellQuote(remote ?? 'origin')} ${shellQuote(branch.join('/'))}\`).`
        : 'Check the branch or commit name.',
    cause,
  })
}

/**
 * A `.dvc` file as committed at `revision` (path relative to the repository root, forward slashes), or
 * `undefined` when that commit has no such file. A git failure is an error, never "no dataset".
 */
export async function readDvcFileAt(repo: string, revision: string, relpath: string): Promise<DvcFile | undefined> {
  const commit = await resolveCommit(repo, revision)
  const git = openRepo(repo)
  const listed = await runGit('ls-tree', () => git.raw(['ls-tree', '--name-only', commit, '--', relpath]))
  if (listed.trim() === '') return undefined
  const text = await runGit('show', () => git.raw(['show', `${commit}:${relpath}`]))
  return parseDvcFile(text, `${relpath} at ${revision}`)
}

/**
 * A dataset's version as its `.dvc` files name it (`<images md5>+<masks md5>`, `-` for a folder not tracked yet):
 * what a cache of anything derived from the dataset is keyed by, since the dataset changes only when they do.
 */
export function datasetVersionKey(outs: readonly (DvcOut | undefined)[]): string {
  return outs.map((out) => out?.md5 ?? '-').join('+')
}

/** {@link datasetVersionKey} of the dataset folder `datasetDir`; an unreadable `.dvc` file counts as not tracked. */
export async function readDatasetVersion(datasetDir: string): Promise<string> {
  const outs = await Promise.all(
    DATASET_FOLDERS.map((name) => readDvcOut(path.join(datasetDir, `${name}.dvc`)).catch(() => undefined)),
  )
  return datasetVersionKey(outs)
}
