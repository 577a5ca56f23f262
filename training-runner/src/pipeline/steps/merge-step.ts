import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import { REPLACEMENTS_FILE } from '@wms/shared/dvc/replacements'
import type { MergeOutput, PipelineRunRecord } from '@wms/shared/pipeline/run-record'
import { DATASET_FOLDERS } from '../../dvc/dataset-workspace.js'
import { mergeDataBranch } from '../../dvc/merge.js'
import type { PipelineContext } from '../pipeline-context.js'
import { addWorktree, changedPaths, MAIN_BRANCH, mergeBase, resolveRef, trackingRef } from '../pipeline-git.js'
import { refuse } from '../verdicts.js'

/**
 * merge: main's dataset (its `.dvc` files, the manifests in the DVC remote — never the files) plus the branch's
 * new pairs → the new `.dvc` files, kept in the run record. Nothing reaches main here: main receives them in the
 * publish step, in the same commit as the promotion. New objects are uploaded to the DVC remote now
 * (content-addressed, so a rerun or a refused branch leaves nothing that could be mistaken for data).
 *
 * A branch is refused when it does not share history with main, changes anything but new raw files, replaces
 * files of the dataset without declaring it, or adds nothing.
 */
export async function mergeStep(context: PipelineContext, record: PipelineRunRecord): Promise<MergeOutput> {
  const main = await resolveRef(context.root, trackingRef(context.remote, MAIN_BRANCH))
  if (main === undefined) {
    throw new WmsError('git/failed', `${context.remote} has no ${MAIN_BRANCH} branch to merge into.`, {
      hint: `Push ${MAIN_BRANCH} (with wms.config.json and the dataset's .dvc files) to ${context.remote} first.`,
    })
  }
  await assertDataOnly(context, record.commit, main)
  await addWorktree(context.root, context.branchTree, record.commit)
  let result
  try {
    result = await mergeDataBranch({
      workspace: context.branchTree,
      base: main,
      store: context.store,
      events: context.events,
      ...(context.signal === undefined ? {} : { signal: context.signal }),
    })
  } catch (thrown) {
    if (
      thrown instanceof WmsError &&
      (thrown.code === 'dataset/collision' || thrown.code === 'dataset/invalid-replacements')
    ) {
      throw refuse(
        'merge',
        `${context.branch} changes files that are already in the dataset.`,
        thrown.message
          .split('\n')
          .slice(1)
          .map((line) => line.replace(/^\s*-\s*/, '')),
        `${thrown.hint ?? 'Rename the new files.'} Then push the branch again.`,
      )
    }
    throw thrown
  }
  const images = result.byFolder.images ?? result.counts
  if (result.status === 'nothing-new') {
    throw refuse(
      'merge',
      `${context.branch} adds no new pairs: every file on it is already in the dataset (${String(images.total)} images).`,
      result.ignored.map((file) => `not a dataset file: ${file}`),
      'Add new image/mask pairs (in the app: Add data → Review & submit) and push again; this branch can be deleted.',
    )
  }
  const datasetRel = context.config.dataset.root.replace(/\/+$/, '')
  const dvcFiles: Record<string, string> = {}
  for (const folder of DATASET_FOLDERS) {
    const relpath = `${datasetRel}/${folder}.dvc`
    dvcFiles[relpath] = await readFile(path.join(context.branchTree, relpath), 'utf8')
  }
  return {
    main,
    status: result.status,
    images: pick(images),
    files: pick(result.counts),
    added: result.added,
    replaced: result.replaced.map((replaced) => ({ path: replaced.path, reason: replaced.reason })),
    dvcFiles,
  }
}

function pick(counts: { existing: number; new: number; replaced: number; total: number }) {
  return { existing: counts.existing, new: counts.new, replaced: counts.replaced, total: counts.total }
}

/**
 * A data branch must grow from main's history and carry only raw files of the dataset (and a replacement
 * declaration): anything else — a changed `.dvc` file, the config, code — would bypass the pipeline.
 */
async function assertDataOnly(context: PipelineContext, commit: string, main: string): Promise<void> {
  const base = await mergeBase(context.root, commit, main)
  if (base === undefined) {
    throw refuse(
      'merge',
      `${context.branch} is not based on ${MAIN_BRANCH}: it shares no history with it.`,
      [`branch ${commit.slice(0, 12)}, ${MAIN_BRANCH} ${main.slice(0, 12)}`],
      `Submit the pairs from the app (it branches from ${MAIN_BRANCH}), or commit them on a branch made from ${MAIN_BRANCH} and push that.`,
    )
  }
  const datasetRel = context.config.dataset.root.replace(/\/+$/, '')
  const allowed = (file: string): boolean =>
    DATASET_FOLDERS.some((folder) => file.startsWith(`${datasetRel}/${folder}/`)) ||
    file === `${datasetRel}/${REPLACEMENTS_FILE}`
  const changes = await changedPaths(context.root, base, commit)
  const outside = changes.filter((change) => !allowed(change.path) || change.status.startsWith('D'))
  if (outside.length === 0) return
  const word = (status: string): string =>
    status.startsWith('D') ? 'deletes' : status.startsWith('A') ? 'adds' : 'changes'
  throw refuse(
    'merge',
    `${context.branch} changes ${String(outside.length)} file(s) besides new pairs; a data branch carries only new files under ${datasetRel}/images and ${datasetRel}/masks.`,
    outside.slice(0, 50).map((change) => `${word(change.status)} ${change.path}`),
    `Move the other changes to a normal commit on ${MAIN_BRANCH}, and push the pairs alone (the app's Review & submit does this).`,
  )
}
