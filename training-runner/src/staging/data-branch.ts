import { createHash } from 'node:crypto'
import { constants } from 'node:fs'
import { mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import { dataBranchName } from '@wms/shared/staging/dataset-layout'
import { gitPathProblem } from '@wms/shared/staging/git-path'
import { openRepo, runGit } from '../adapters/git/run-git.js'

/**
 * A file to commit on the data branch: where it goes in the dataset, and its bytes — given, or read from `source`
 * (never through a symbolic link). With `md5`, bytes that do not have that hash (what QA checked) are refused.
 */
export type BranchFile = { relpath: string; bytes: Uint8Array } | { relpath: string; source: string; md5?: string }

/** Options of {@link commitDataBranch}. */
export interface CommitDataBranchOptions {
  workspace: string
  /** Dataset folder inside the repository (`data/training`). */
  datasetRoot: string
  files: readonly BranchFile[]
  message: string
  /** When the submission started; names the branch. */
  now?: Date
  /** Create exactly this branch (refused when it exists); default: the first free `data/…` name for `now`. */
  branch?: string
  /** Commit on top of this ref (default: the workspace's HEAD). */
  base?: string
}

/** A committed (not yet pushed) data branch. */
export interface CommittedBranch {
  branch: string
  commit: string
}

const CHUNK = 200
const SCRATCH_PREFIX = 'wms-data-branch-'

/**
 * Commits exactly `files` on a new `data/YYYYMMDD-HHMMSS` branch without touching the user's working tree, index
 * or current branch: the bytes go into git's object store, the tree is built in a private index, and the branch
 * appears last, in one atomic ref update — so a crash (even kill -9) at any step leaves no branch, no worktree and
 * nothing to clean but unreferenced objects. The commit is checked to hold exactly these files with exactly these
 * bytes before the branch is created; paths git cannot hold (under `.git/`, …) are refused up front.
 */
export async function commitDataBranch(options: CommitDataBranchOptions): Promise<CommittedBranch> {
  if (options.files.length === 0)
    throw new WmsError('usage/invalid-arguments', 'Nothing to commit: no files were given.')
  const paths = checkedPaths(options.datasetRoot, options.files)
  const git = openRepo(options.workspace)
  const repo = await inspectRepo(options.workspace, options.base ?? 'HEAD')
  const { base } = repo
  const scratch = await openScratch(repo.gitDir)
  try {
    const blobs = await storeBlobs(options.workspace, scratch, repo.format, options.files, paths)
    const index = openRepo(options.workspace, { indexFile: path.join(scratch, 'index') })
    await runGit('read-tree', () => index.raw(['read-tree', base]))
    for (let start = 0; start < blobs.length; start += CHUNK) {
      const entries = blobs
        .slice(start, start + CHUNK)
        .flatMap((blob) => ['--cacheinfo', `100644,${blob.id},${blob.path}`])
      await runGit('update-index', () => index.raw(['update-index', '--add', ...entries]))
    }
    const tree = (await runGit('write-tree', () => index.raw(['write-tree']))).trim()
    const commit = (
      await runGit('commit-tree', () => git.raw(['commit-tree', tree, '-p', base, '-m', options.message]))
    ).trim()
    await verifyCommitHolds(options.workspace, base, commit, blobs)
    const branch = await createBranch(options.workspace, commit, options)
    return { branch, commit }
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

/** A file expected on a data branch: its repository path and its git blob id. */
export interface ExpectedBlob {
  path: string
  id: string
}

/**
 * Whether `branch` exists and its last commit adds exactly `files` (with exactly these bytes) to its parent: how a
 * submission interrupted after its branch was made knows the branch is complete. Returns the commit, or
 * `undefined` when the branch does not exist; throws `storage/integrity` when it exists but holds something else.
 */
export async function verifyDataBranch(options: {
  workspace: string
  datasetRoot: string
  branch: string
  files: readonly BranchFile[]
}): Promise<string | undefined> {
  const git = openRepo(options.workspace)
  const ref = `refs/heads/${options.branch}`
  const listed = await runGit('for-each-ref', () => git.raw(['for-each-ref', '--format=%(objectname)', ref]))
  const commit = listed.trim()
  if (commit === '') return undefined
  const parent = (await runGit('rev-parse', () => git.raw(['rev-parse', `${commit}^`]))).trim()
  const format = await objectFormat(options.workspace)
  const blobs: ExpectedBlob[] = []
  for (const file of options.files) {
    blobs.push({ path: path.posix.join(options.datasetRoot, file.relpath), id: gitBlobId(await bytesOf(file), format) })
  }
  await verifyCommitHolds(options.workspace, parent, commit, blobs)
  return commit
}

/** Deletes a local data branch (a submission rolled back), if it exists. */
export async function deleteDataBranch(workspace: string, branch: string): Promise<void> {
  const git = openRepo(workspace)
  const ref = `refs/heads/${branch}`
  const exists = (await runGit('for-each-ref', () => git.raw(['for-each-ref', '--format=%(refname)', ref]))).trim()
  if (exists !== '') await runGit('branch -D', () => git.raw(['branch', '-D', branch]))
}

function checkedPaths(datasetRoot: string, files: readonly BranchFile[]): string[] {
  const paths = files.map((file) => path.posix.join(datasetRoot, file.relpath))
  const seen = new Set<string>()
  for (const [index, repoPath] of paths.entries()) {
    const relpath = files[index]?.relpath ?? repoPath
    const problem =
      gitPathProblem(repoPath) ?? (repoPath.startsWith('../') ? 'it is outside the repository' : undefined)
    if (problem !== undefined) {
      throw new WmsError('usage/invalid-arguments', `${relpath} cannot be committed: ${problem}.`, {
        hint: 'Remove that file from the submission, rename it, and add it again.',
      })
    }
    if (seen.has(repoPath))
      throw new WmsError('usage/invalid-arguments', `${relpath} is listed twice in the submission.`)
    seen.add(repoPath)
  }
  return paths
}

// Where the repository keeps its objects, which hash it uses, and the base commit — one git call.
async function inspectRepo(
  workspace: string,
  ref: string,
): Promise<{ gitDir: string; format: ObjectFormat; base: string }> {
  const git = openRepo(workspace)
  const [gitDir = '', format = '', base = ''] = (
    await runGit('rev-parse', () =>
      git.raw(['rev-parse', '--absolute-git-dir', '--show-object-format', '--verify', `${ref}^{commit}`]),
    )
  )
    .trim()
    .split('\n')
  return { gitDir, format: format === 'sha256' ? 'sha256' : 'sha1', base }
}

// A private folder inside the repository's git dir for the temporary index and the bytes being hashed; folders
// of runs that were killed (their process is gone) are removed first.
async function openScratch(gitDir: string): Promise<string> {
  const names = await readdir(gitDir)
  for (const name of names) {
    const pid = Number(/^wms-data-branch-(\d+)-/.exec(name)?.[1])
    if (Number.isInteger(pid) && !isAlive(pid)) await rm(path.join(gitDir, name), { recursive: true, force: true })
  }
  // Earlier versions committed in a temporary worktree; forget any that a crash left registered.
  if (names.includes('worktrees')) await runGit('worktree prune', () => openRepo(gitDir).raw(['worktree', 'prune']))
  return mkdtemp(path.join(gitDir, `${SCRATCH_PREFIX}${String(process.pid)}-`))
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (thrown) {
    return (thrown as NodeJS.ErrnoException).code === 'EPERM'
  }
}

// Reads each file's bytes (checked), writes them to the scratch folder and lets git store them; git's id of each
// blob must be the one computed here from the checked bytes — so what is committed is what was checked.
async function storeBlobs(
  workspace: string,
  scratch: string,
  format: ObjectFormat,
  files: readonly BranchFile[],
  paths: readonly string[],
): Promise<ExpectedBlob[]> {
  const git = openRepo(workspace)
  const blobs: ExpectedBlob[] = []
  for (let start = 0; start < files.length; start += CHUNK) {
    const chunk = files.slice(start, start + CHUNK)
    const staged: string[] = []
    for (const [offset, file] of chunk.entries()) {
      const bytes = await bytesOf(file)
      const staging = path.join(scratch, String(start + offset))
      await writeFile(staging, bytes, { flag: 'wx', mode: 0o600 })
      staged.push(staging)
      blobs.push({ path: paths[start + offset] ?? file.relpath, id: gitBlobId(bytes, format) })
    }
    const ids = (await runGit('hash-object', () => git.raw(['hash-object', '-w', '--no-filters', '--', ...staged])))
      .trim()
      .split('\n')
    for (const [offset, id] of ids.entries()) {
      const expected = blobs[start + offset]
      if (expected?.id !== id.trim()) {
        throw new WmsError('storage/integrity', `git stored different bytes for ${expected?.path ?? 'a file'}.`, {
          hint: 'Nothing was committed. Try again; if it happens again, check the disk.',
        })
      }
    }
  }
  return blobs
}

async function bytesOf(file: BranchFile): Promise<Uint8Array> {
  if ('bytes' in file) return file.bytes
  let bytes: Buffer
  try {
    const handle = await open(file.source, constants.O_RDONLY | constants.O_NOFOLLOW)
    try {
      if (!(await handle.stat()).isFile()) throw new Error('not a regular file')
      bytes = await handle.readFile()
    } finally {
      await handle.close()
    }
  } catch (thrown) {
    throw new WmsError('storage/integrity', `${file.relpath} cannot be read safely: ${(thrown as Error).message}.`, {
      hint: 'Files are committed from regular files only, never through a link.',
      cause: thrown,
    })
  }
  if (file.md5 !== undefined && createHash('md5').update(bytes).digest('hex') !== file.md5) {
    throw new WmsError('storage/integrity', `${file.relpath} changed after it was checked; nothing was committed.`, {
      hint: 'Check the file again, then submit.',
    })
  }
  return bytes
}

type ObjectFormat = 'sha1' | 'sha256'

async function objectFormat(workspace: string): Promise<ObjectFormat> {
  const git = openRepo(workspace)
  const format = (await runGit('rev-parse', () => git.raw(['rev-parse', '--show-object-format']))).trim()
  return format === 'sha256' ? 'sha256' : 'sha1'
}

/** git's id of a blob with these bytes (`git hash-object --no-filters`). */
export function gitBlobId(bytes: Uint8Array, format: ObjectFormat = 'sha1'): string {
  return createHash(format)
    .update(`blob ${String(bytes.byteLength)}\0`)
    .update(bytes)
    .digest('hex')
}

// The commit must change exactly the expected paths, each to exactly the expected blob: nothing missing (a file
// git skipped), nothing extra, and not an empty commit.
async function verifyCommitHolds(
  workspace: string,
  base: string,
  commit: string,
  expected: readonly ExpectedBlob[],
): Promise<void> {
  const git = openRepo(workspace)
  const diff = await runGit('diff-tree', () => git.raw(['diff-tree', '-r', '-z', '--no-renames', base, commit]))
  const fields = diff.split('\0')
  const changed = new Map<string, string>()
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const meta = (fields[index] ?? '').split(' ')
    changed.set(fields[index + 1] ?? '', meta[3] ?? '')
  }
  const wanted = new Map(expected.map((blob) => [blob.path, blob.id]))
  const extra = [...changed.keys()].filter((repoPath) => !wanted.has(repoPath))
  const wrong = [...wanted].filter(([repoPath, id]) => changed.has(repoPath) && changed.get(repoPath) !== id)
  const missing = [...wanted.keys()].filter((repoPath) => !changed.has(repoPath))
  const unchangedButPresent = await presentUnchanged(workspace, commit, missing, wanted)
  const reallyMissing = missing.filter((repoPath) => !unchangedButPresent.has(repoPath))
  if (extra.length + wrong.length + reallyMissing.length > 0 || changed.size === 0) {
    const detail = [
      reallyMissing.length > 0 ? `missing ${reallyMissing.slice(0, 3).join(', ')}` : '',
      wrong.length > 0
        ? `different bytes for ${wrong
            .slice(0, 3)
            .map(([repoPath]) => repoPath)
            .join(', ')}`
        : '',
      extra.length > 0 ? `unexpected ${extra.slice(0, 3).join(', ')}` : '',
      changed.size === 0 ? 'no change at all' : '',
    ].filter((part) => part !== '')
    throw new WmsError(
      'storage/integrity',
      `The data branch commit does not hold the submitted files: ${detail.join('; ')}.`,
      {
        hint: 'Nothing was pushed and the pairs are still staged. Check the file names, then submit again.',
      },
    )
  }
}

// A file identical to the one already on the base (same path, same bytes) is not a change but is on the branch.
async function presentUnchanged(
  workspace: string,
  commit: string,
  paths: readonly string[],
  wanted: ReadonlyMap<string, string>,
): Promise<Set<string>> {
  const present = new Set<string>()
  if (paths.length === 0) return present
  const git = openRepo(workspace)
  for (let start = 0; start < paths.length; start += CHUNK) {
    const listed = await runGit('ls-tree', () =>
      git.raw(['ls-tree', '-z', commit, '--', ...paths.slice(start, start + CHUNK)]),
    )
    for (const entry of listed.split('\0')) {
      const [meta = '', repoPath = ''] = entry.split('\t')
      if (repoPath !== '' && meta.split(' ')[2] === wanted.get(repoPath)) present.add(repoPath)
    }
  }
  return present
}

// The ref is created only if it does not exist (an empty old value), so two submissions at once never share a
// branch; with no name given, the next free `data/…-N` name is taken.
async function createBranch(
  workspace: string,
  commit: string,
  options: Pick<CommitDataBranchOptions, 'branch' | 'now'>,
): Promise<string> {
  const git = openRepo(workspace)
  const now = options.now ?? new Date()
  for (let attempt = 1; attempt <= 100; attempt += 1) {
    const branch = options.branch ?? dataBranchName(now, attempt)
    try {
      await runGit('update-ref', () =>
        git.raw(['update-ref', '-m', 'WMS Studio: data branch', `refs/heads/${branch}`, commit, '']),
      )
      return branch
    } catch (thrown) {
      if (options.branch !== undefined) throw thrown
    }
  }
  throw new WmsError('git/failed', 'No free data branch name was found for this second.', {
    hint: 'Wait a second and submit again.',
  })
}

/** Push progress: git's own counters, 0–1 overall. */
export interface PushProgress {
  stage: string
  progress: number
}

/**
 * Pushes a data branch to `remote`, reporting git's progress. Safe to repeat: a branch that is already on the
 * remote at the same commit pushes as a no-op.
 */
export async function pushDataBranch(
  workspace: string,
  branch: string,
  options: { remote?: string; onProgress?: (progress: PushProgress) => void; timeoutMs?: number } = {},
): Promise<void> {
  const remote = options.remote ?? 'origin'
  const git = openRepo(workspace, { timeoutMs: options.timeoutMs ?? 10 * 60_000 })
  const withProgress = options.onProgress === undefined ? git : openRepoWithProgress(workspace, options.onProgress)
  await runGit('push', () =>
    withProgress.push(remote, `refs/heads/${branch}:refs/heads/${branch}`, ['--progress', '--no-verify']),
  )
}

function openRepoWithProgress(workspace: string, onProgress: (progress: PushProgress) => void) {
  // simple-git's progress plugin parses git's "Writing objects: 45% (9/20)" lines.
  return openRepo(workspace, {
    progress: ({ stage, progress }) => onProgress({ stage, progress: progress / 100 }),
  })
}
