import { renderRunReport } from '@wms/shared/pipeline/render-run-report'
import type { PipelineRunRecord, PublishOutput } from '@wms/shared/pipeline/run-record'
import { openRepo } from '../../adapters/git/run-git.js'
import { pullDataset } from '../../dvc/sync.js'
import { prepareMainTree, type PipelineContext } from '../pipeline-context.js'
import {
  commitFiles,
  deleteRemoteBranch,
  fetchBranches,
  findCommitWith,
  MAIN_BRANCH,
  pushWithLease,
  trackingRef,
} from '../pipeline-git.js'
import { currentMain, filesOnMain, promoteInto } from './model-steps.js'
import { publishViaPullRequest } from './publish-github.js'

/** The line in the publish commit that names the branch and commit it merged (how a rerun finds it). */
export function publishMarker(record: Pick<PipelineRunRecord, 'branch' | 'commit'>): string {
  return `Data-Branch: ${record.branch} ${record.commit}`
}

/**
 * publish: the merge and the promotion become visible on main together, in one commit — the merged `.dvc` files,
 * `model-metadata.json` and the history line — pushed only if main is still where it was read (never forced).
 * Then the user's workspace follows main (fast-forward, new pairs pulled) and the data branch is deleted. A rerun
 * after a crash finds its commit on main by {@link publishMarker} and only finishes the rest.
 */
export async function publishStep(context: PipelineContext, record: PipelineRunRecord): Promise<PublishOutput> {
  // A rerun after a crash between the push and the record finds its own commit on main first.
  await fetchBranches(context.root, context.remote, [MAIN_BRANCH])
  let commit = await findCommitWith(context.root, trackingRef(context.remote, MAIN_BRANCH), publishMarker(record))
  if (commit === undefined && context.config.pipeline.runner === 'github-actions') {
    // Main is GitHub's to change: the same commit goes through a PR (publish-github.ts).
    const output = await publishViaPullRequest(context, record, commitMessage(record))
    await followMain(context)
    return output
  }
  if (commit === undefined) {
    const main = await currentMain(context, record, 'publish')
    await prepareMainTree(context, record, main)
    // Idempotent: production is this run's version already; it rewrites the same production files here.
    await promoteInto(context, record)
    commit = await commitFiles(context.mainTree, filesOnMain(record), commitMessage(record))
    await pushWithLease(context.root, context.remote, commit, MAIN_BRANCH, main)
  }
  await followMain(context)
  const branchDeleted = await deleteRemoteBranch(context.root, context.remote, context.branch, record.commit)
  return { mainCommit: commit, branchDeleted }
}

function commitMessage(record: PipelineRunRecord): string {
  const images = record.merge?.images
  const added = images?.new ?? 0
  const lines = [
    `data: add ${String(added)} new training image${added === 1 ? '' : 's'} (model improved)`,
    '',
    `Images: existing ${String(images?.existing ?? 0)}, new ${String(added)}, replaced ${String(images?.replaced ?? 0)}, total ${String(images?.total ?? 0)}`,
  ]
  if (record.promote !== null) {
    lines.push(
      `Model: ${record.promote.modelName} v${record.promote.version} is production (run ${record.train?.runId ?? '?'})`,
    )
  }
  if (record.gate !== null) lines.push(`Gate: ${record.gate.headline}`)
  lines.push('', publishMarker(record))
  return lines.join('\n')
}

/**
 * The user's workspace follows main when it can without touching their work: checked out on main, fast-forward
 * only, then the new pairs are downloaded (files they changed are kept). Otherwise it says how.
 */
async function followMain(context: PipelineContext): Promise<void> {
  const git = openRepo(context.root)
  const branch = (await git.raw(['rev-parse', '--abbrev-ref', 'HEAD']).catch(() => '')).trim()
  const upstream = trackingRef(context.remote, MAIN_BRANCH)
  try {
    await git.raw(['fetch', '--quiet', '--no-tags', context.remote, `+refs/heads/${MAIN_BRANCH}:${upstream}`])
    if (branch !== MAIN_BRANCH) throw new Error(`the workspace is on ${branch || 'no branch'}, not ${MAIN_BRANCH}`)
    await git.raw(['merge', '--ff-only', '--quiet', upstream])
    await pullDataset(context.root, { store: context.store })
  } catch (thrown) {
    context.events.emit({
      type: 'log',
      level: 'warn',
      message: `${MAIN_BRANCH} moved on ${context.remote}; the workspace did not follow (${(thrown as Error).message.split('\n')[0] ?? ''}). Run \`git pull\` and \`training-runner data pull\` on ${MAIN_BRANCH}.`,
    })
  }
}

/** The report of a run, as stored next to its record and carried by a PR body. */
export function renderReport(record: PipelineRunRecord): string {
  return renderRunReport(record)
}
