import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import type { DirEntry } from '@wms/shared/dvc/dir-manifest'
import type { DvcOut } from '@wms/shared/dvc/dvc-file'
import { describeCollisions, planMerge, type MergeCounts, type MergePlan } from '@wms/shared/dvc/merge-plan'
import { parseReplacements, REPLACEMENTS_FILE, type Replacement } from '@wms/shared/dvc/replacements'
import { openRepo, runGit } from '../adapters/git/run-git.js'
import { statObjects } from '../adapters/storage/remote-store.js'
import { nullSink, type EventSink } from '../events/event-sink.js'
import { gatherBranchContent, type BranchAddition } from './branch-additions.js'
import { openDatasetWorkspace, type DatasetWorkspace, type StoreOptions } from './dataset-workspace.js'
import { readDvcFileAt, resolveCommit, writeDirDvcFile } from './dvc-files.js'
import { fetchManifest, pushManifest } from './manifests.js'
import { pushObjects, type PushItem, type TransferReport } from './transfer.js'

/** Options of {@link mergeDataBranch}. */
export interface MergeDataBranchOptions extends StoreOptions {
  /** The workspace (git repository) checked out on the data branch. */
  workspace: string
  /** Main's revision, whose `.dvc` files are the dataset to merge into (default `origin/main`). */
  base?: string
  /** Commit the new `.dvc` files (and the raw files' removal from the index) on the branch. */
  commit?: boolean
  events?: EventSink
  signal?: AbortSignal
}

/** What the merge did. */
export interface MergeResult {
  /** `nothing-new`: the branch adds no file that main lacks (reported, never promoted as "new data"). */
  status: 'merged' | 'nothing-new'
  base: { revision: string; commit: string; hasDataset: boolean }
  /** File counts over both folders, and per folder (`images` = pairs). */
  counts: MergeCounts
  byFolder: Record<string, MergeCounts>
  /** Paths added, relative to the dataset root. */
  added: string[]
  replaced: { path: string; from: string; to: string; reason: string }[]
  /** Branch files left out (hidden or not an image), relative to the dataset root. */
  ignored: string[]
  /** Objects uploaded (raw files) and `.dir` manifests stored. */
  upload: TransferReport & { manifests: number }
  /** The `.dvc` outputs now on the branch. */
  dvc: Record<string, DvcOut>
  /** The commit made, when `commit` was asked for and something changed. */
  committed: string | null
  seconds: number
}

/**
 * The CI merge step of a data branch: main's dataset (its `.dvc` files in git, its `.dir` manifests from the
 * remote — never the files) plus the branch's new files → the new dataset. In this order, so that a crash at any
 * point leaves the remote and the repository consistent and a rerun completes the merge:
 *
 * 1. plan (pure): collisions and bad replacement declarations stop the merge before anything is written;
 * 2. upload the new files the remote lacks (content-addressed; existing objects are never rewritten);
 * 3. store the new `.dir` manifests (every file they name is in the remote by now);
 * 4. only then write the `.dvc` files, and take the raw files out of the git index so they never reach main.
 */
export async function mergeDataBranch(options: MergeDataBranchOptions): Promise<MergeResult> {
  const started = Date.now()
  const events = options.events ?? nullSink
  const workspace = await openDatasetWorkspace(options.workspace, options)
  const revision = options.base ?? 'origin/main'
  events.emit({ type: 'step-start', step: 'merge', title: `Merging the data branch into the dataset of ${revision}` })
  try {
    const result = await runMerge(workspace, revision, options, events, started)
    events.emit({
      type: 'step-end',
      step: 'merge',
      // A branch that adds nothing is no success to print as "✔ merge ok" (the CLI exits 1 for it).
      status: result.status === 'merged' ? 'ok' : 'skipped',
      seconds: result.seconds,
      summary: summarize(result),
    })
    return result
  } catch (thrown) {
    events.emit({ type: 'step-end', step: 'merge', status: 'failed', seconds: (Date.now() - started) / 1000 })
    throw thrown
  } finally {
    workspace.close()
  }
}

/** One line for logs and the step summary: `12 new images (24 files), 1 replaced, 132 in total`. */
export function summarize(result: Pick<MergeResult, 'counts' | 'byFolder' | 'status'>): string {
  const images = result.byFolder.images ?? result.counts
  if (result.status === 'nothing-new') return `nothing new: the branch adds 0 files (${String(images.total)} images)`
  return `${String(images.new)} new images (${String(result.counts.new)} files), ${String(result.counts.replaced)} replaced, ${String(images.total)} images in total`
}

async function runMerge(
  workspace: DatasetWorkspace,
  revision: string,
  options: MergeDataBranchOptions,
  events: EventSink,
  started: number,
): Promise<MergeResult> {
  const signal = options.signal === undefined ? {} : { signal: options.signal }
  const store = workspace.store()
  const commit = await resolveCommit(workspace.root, revision)

  // 1. Main's dataset: `.dvc` files from git, manifests from the remote (a failed read is an error).
  const baseOuts = new Map<string, DvcOut | undefined>()
  for (const folder of workspace.folders) {
    baseOuts.set(folder.name, (await readDvcFileAt(workspace.root, commit, folder.dvcRelpath))?.outs[0])
  }
  const hasDataset = [...baseOuts.values()].some((out) => out !== undefined)
  if (hasDataset && [...baseOuts.values()].some((out) => out === undefined)) {
    throw new WmsError('dataset/invalid-manifest', `${revision} tracks only one of images.dvc and masks.dvc.`, {
      hint: 'Restore the missing .dvc file on main before merging data branches.',
    })
  }
  const base: DirEntry[] = []
  for (const folder of workspace.folders) {
    const out = baseOuts.get(folder.name)
    if (out === undefined) continue
    const entries = await fetchManifest(store, out.md5, { cacheDir: workspace.cacheDir, ...signal })
    if (out.nfiles !== undefined && out.nfiles !== entries.length) {
      throw new WmsError(
        'dataset/invalid-manifest',
        `${folder.dvcRelpath} at ${revision} says ${String(out.nfiles)} files, its manifest ${out.md5} lists ${String(entries.length)}.`,
      )
    }
    base.push(...entries.map((entry) => ({ md5: entry.md5, relpath: `${folder.name}/${entry.relpath}` })))
  }

  // 2. The branch's files and declarations, then the plan.
  const mergeBase = await findMergeBase(workspace.root, commit)
  const branch = await gatherBranchContent(workspace, mergeBase, baseOuts, signal)
  for (const file of branch.ignored)
    events.emit({ type: 'log', level: 'warn', message: `not merged (not an image): ${file}` })
  for (const file of branch.dropped) {
    events.emit({ type: 'log', level: 'warn', message: `kept: ${file} (the merge never deletes files)` })
  }
  const replacements = await readReplacements(workspace)
  const plan = planMerge({ base, additions: branch.additions, replacements })
  assertMergeable(plan, workspace)
  const result = {
    base: { revision, commit, hasDataset },
    counts: plan.counts,
    byFolder: plan.countsByFolder,
    added: plan.added.map((entry) => entry.relpath),
    replaced: plan.replaced.map((r) => ({ path: r.to.relpath, from: r.from.relpath, to: r.to.md5, reason: r.reason })),
    ignored: branch.ignored,
  }
  if (plan.counts.new + plan.counts.replaced === 0) {
    events.emit({ type: 'log', level: 'warn', message: 'The branch adds no new file: nothing to merge.' })
    const dvc = Object.fromEntries([...baseOuts].flatMap(([name, out]) => (out === undefined ? [] : [[name, out]])))
    const upload = { objects: 0, present: 0, transferred: 0, repaired: 0, bytes: 0, seconds: 0, manifests: 0 }
    return { status: 'nothing-new', ...result, upload, dvc, committed: null, seconds: (Date.now() - started) / 1000 }
  }

  // 3. Objects first (only what the remote lacks), then the manifests, then the pointers.
  const additions = new Map(branch.additions.map((addition) => [addition.relpath, addition]))
  const incoming = [...plan.added, ...plan.replaced.map((r) => r.to)].map((entry) => additions.get(entry.relpath))
  const upload = await uploadIncoming(workspace, incoming, events, signal)
  const sizes = await sizesOf(workspace, incoming, plan, signal)
  let manifests = 0
  const versions = []
  for (const folder of workspace.folders) {
    const entries = plan.entries
      .filter((entry) => entry.relpath.startsWith(`${folder.name}/`))
      .map((entry) => ({ md5: entry.md5, relpath: entry.relpath.slice(folder.name.length + 1) }))
    const pushed = await pushManifest(store, entries, { cacheDir: workspace.cacheDir, ...signal })
    if (pushed.outcome === 'uploaded') manifests += 1
    const size = (baseOuts.get(folder.name)?.size ?? 0) + sizes.delta(folder.name)
    versions.push({ folder, version: { md5: pushed.hash, size, nfiles: entries.length, path: folder.name } })
  }
  const dvc: Record<string, DvcOut> = {}
  for (const { folder, version } of versions) dvc[folder.name] = await writeDirDvcFile(folder.dvcFile, version)

  // 4. Raw files and the declaration leave the index (they stay on disk for QA and training).
  const committed = await updateIndex(workspace, result, options.commit === true)
  return {
    status: 'merged',
    ...result,
    upload: { ...upload, manifests },
    dvc,
    committed,
    seconds: (Date.now() - started) / 1000,
  }
}

function assertMergeable(plan: MergePlan, workspace: DatasetWorkspace): void {
  if (plan.replacementProblems.length > 0) {
    throw new WmsError(
      'dataset/invalid-replacements',
      `${workspace.datasetRelpath}/${REPLACEMENTS_FILE} does not match this branch:\n${plan.replacementProblems.map((line) => `  - ${line}`).join('\n')}`,
      {
        hint: `Fix or remove the listed entries of ${REPLACEMENTS_FILE}.`,
        details: { problems: plan.replacementProblems },
      },
    )
  }
  if (plan.collisions.length === 0) return
  throw new WmsError(
    'dataset/collision',
    `${String(plan.collisions.length)} file(s) of this branch collide with the dataset (paths relative to ${workspace.datasetRelpath}/):\n${describeCollisions(
      plan.collisions,
    )
      .map((line) => `  - ${line}`)
      .join('\n')}`,
    {
      hint: `Rename the new files, or, to replace the old ones on purpose, list them in ${workspace.datasetRelpath}/${REPLACEMENTS_FILE} (version: 1, replace: [{path, reason}]).`,
      details: { collisions: plan.collisions },
    },
  )
}

async function uploadIncoming(
  workspace: DatasetWorkspace,
  incoming: readonly (BranchAddition | undefined)[],
  events: EventSink,
  signal: { signal?: AbortSignal },
): Promise<TransferReport> {
  const items: PushItem[] = []
  for (const addition of incoming) {
    if (addition?.file === undefined) continue
    items.push({
      hash: addition.md5,
      source: { kind: 'file', path: addition.file.path, size: addition.file.size },
      label: addition.relpath,
    })
  }
  return pushObjects(workspace.store(), items, { events, step: 'merge', ...signal })
}

// New `.dvc` sizes: main's size plus the incoming files, minus the files they replace. Sizes the working tree
// cannot give (replaced objects, files merged by an earlier run) come from the remote, one request each; an
// object that is not there stops the merge before any manifest names it.
async function sizesOf(
  workspace: DatasetWorkspace,
  incoming: readonly (BranchAddition | undefined)[],
  plan: MergePlan,
  signal: { signal?: AbortSignal },
): Promise<{ delta(folder: string): number }> {
  const remoteOnly = incoming.flatMap((addition) =>
    addition !== undefined && addition.file === undefined ? [addition.md5] : [],
  )
  const asked = [...remoteOnly, ...plan.replaced.map((r) => r.from.md5)]
  const found = await statObjects(workspace.store(), asked, signal)
  const sizeOf = (md5: string, relpath: string): number => {
    const info = found.get(md5)
    if (info !== undefined) return info.size
    throw new WmsError(
      'storage/not-found',
      `${relpath} (${md5}) is named by the dataset but missing from the remote ${workspace.store().display}.`,
      {
        hint: 'Push the file from a workspace that has it (`training-runner data push`), then rerun the merge.',
      },
    )
  }
  const deltas = new Map<string, number>()
  const add = (relpath: string, bytes: number): void => {
    const folder = relpath.split('/')[0] ?? ''
    deltas.set(folder, (deltas.get(folder) ?? 0) + bytes)
  }
  for (const addition of incoming) {
    if (addition === undefined) continue
    add(addition.relpath, addition.file?.size ?? sizeOf(addition.md5, addition.relpath))
  }
  for (const { from } of plan.replaced) add(from.relpath, -sizeOf(from.md5, from.relpath))
  return { delta: (folder) => deltas.get(folder) ?? 0 }
}

async function readReplacements(workspace: DatasetWorkspace): Promise<Replacement[]> {
  const file = path.join(workspace.datasetDir, REPLACEMENTS_FILE)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (thrown) {
    if ((thrown as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new WmsError('fs/io', `Cannot read ${file}: ${(thrown as Error).message}`, { cause: thrown })
  }
  return parseReplacements(text, `${workspace.datasetRelpath}/${REPLACEMENTS_FILE}`)
}

async function findMergeBase(repo: string, commit: string): Promise<string | undefined> {
  try {
    const base = (await openRepo(repo).raw(['merge-base', 'HEAD', commit])).trim()
    return base === '' ? undefined : base
  } catch {
    return undefined // Unrelated histories: the branch's own .dvc files are then compared with nothing.
  }
}

async function updateIndex(
  workspace: DatasetWorkspace,
  result: Pick<MergeResult, 'counts' | 'byFolder' | 'base'>,
  commit: boolean,
): Promise<string | null> {
  const git = openRepo(workspace.root)
  const raw = [...workspace.folders.map((folder) => folder.relpath), `${workspace.datasetRelpath}/${REPLACEMENTS_FILE}`]
  await runGit('rm --cached', () => git.raw(['rm', '-r', '--cached', '--ignore-unmatch', '--quiet', '--', ...raw]))
  await runGit('add', () => git.raw(['add', '--', ...workspace.folders.map((folder) => folder.dvcRelpath)]))
  if (!commit) return null
  const staged = await runGit('diff --cached', () => git.raw(['diff', '--cached', '--name-only']))
  if (staged.trim() === '') return null
  const images = result.byFolder.images ?? result.counts
  const message = [
    `data: merge ${String(images.new)} new training images into the dataset`,
    '',
    `Images: existing ${String(images.existing)}, new ${String(images.new)}, replaced ${String(images.replaced)}, total ${String(images.total)}`,
    `Files: existing ${String(result.counts.existing)}, new ${String(result.counts.new)}, replaced ${String(result.counts.replaced)}, total ${String(result.counts.total)}`,
    `Base: ${result.base.revision} (${result.base.commit.slice(0, 12)})`,
  ].join('\n')
  await runGit('commit', () => git.commit(message))
  return (await runGit('rev-parse', () => git.revparse(['HEAD']))).trim()
}
