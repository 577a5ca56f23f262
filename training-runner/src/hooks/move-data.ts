import { renderQaText } from '@wms/shared/qa/render-report'
import { readWorkspaceConfig } from '../workspace/workspace-config-file.js'
import { buildDataCommit, createAndPushBranch } from './data-commit.js'
import { hookGit, resolveHookRepo, spawnGit, type HookRepo } from './hook-git.js'
import { checkPushedPairs } from './hook-qa.js'
import {
  mixedMessage,
  movedMessage,
  noRemoteMainMessage,
  notFastForwardMessage,
  qaFailedMessage,
  removesDataMessage,
  transientMessage,
} from './messages.js'
import { moveRefBack } from './move-back.js'
import { findOnDataBranches } from './on-data-branches.js'
import { INNER_PUSH_ENV, type PrePushInput, type PrePushOutcome, type RefusalReason } from './pre-push.js'
import {
  classifyChanges,
  isZeroSha,
  MAIN_REF,
  parsePushLines,
  parseRawDiff,
  transientDataPaths,
  type DataPaths,
  type NewDataFile,
  type PushUpdate,
} from './push-plan.js'

/**
 * The slow path of the hook, for a push that brings data to main: sort the push's changes, refuse what cannot be
 * moved safely (mixed with code, removing data, failing QA), otherwise commit only the new data files on a
 * `data/YYYYMMDD-HHMMSS` branch made from the remote's main, push it (no hooks), move the pushed ref back to the
 * remote's main and stop the push to main.
 */

/** What {@link moveDataToBranch} needs besides the hook's input. */
export interface MoveDataInput extends PrePushInput {
  update: PushUpdate
  paths: DataPaths
  /** Data paths the pushed commits touch (from the fast path's `git log`). */
  touched: readonly string[]
}

const refuse = (reason: RefusalReason, message: string): PrePushOutcome => ({
  exitCode: 1,
  message,
  result: { action: 'refused', reason },
})

/** Moves the push's new data to a data branch, or refuses the push with what to do. */
export async function moveDataToBranch(input: MoveDataInput): Promise<PrePushOutcome> {
  const { update, paths } = input
  const repo = await resolveHookRepo(input.cwd, input.env)
  if (isZeroSha(update.remoteSha)) return refuse('no-remote-main', noRemoteMainMessage(input.remote))
  if (!(await isAncestor(repo, update.remoteSha, update.localSha)))
    return refuse('not-fast-forward', notFastForwardMessage(input.remote))

  const diff = await hookGit(repo, 'diff', [
    'diff',
    '--raw',
    '-z',
    '-M',
    '--no-abbrev',
    '--no-ext-diff',
    '--no-textconv',
    update.remoteSha,
    update.localSha,
  ])
  const content = classifyChanges(parseRawDiff(diff), paths)
  const transient = transientDataPaths(input.touched, content)
  if (transient.length > 0) return refuse('transient-data', transientMessage(transient, update.remoteSha))
  if (content.removed.length + content.renamed.length + content.changed.length > 0)
    return refuse('removes-data', removesDataMessage(content, update.remoteSha))
  if (content.other.length > 0) return refuse('mixed', mixedMessage(content, paths.root, update.remoteSha))

  const onBranches = await findOnDataBranches(repo, input.remote, content.newData, paths.pathspecs)
  const fresh = content.newData.filter((file) => !onBranches.has(file.path))
  let branch: string | undefined
  let qaSummary: string | undefined
  let againstNote: string | undefined
  let pairs = 0
  if (fresh.length > 0) {
    const workspace = repo.topLevel ?? input.cwd
    const config = await readWorkspaceConfig(workspace)
    const qa = await checkPushedPairs(repo, fresh, paths, { workspace, policy: config.qa })
    const { errors, warnings } = qa.report.summary
    if (!qa.report.passed) return refuse('qa-failed', qaFailedMessage(renderQaText(qa.report), errors, paths.root))
    pairs = qa.report.summary.pairs
    qaSummary = `${String(pairs)} pair(s) checked, ${String(errors)} errors, ${String(warnings)} warnings`
    againstNote = qa.againstNote
    const commit = await buildDataCommit(repo, update.remoteSha, fresh, commitMessage(fresh, pairs, update))
    branch = await createAndPushBranch(repo, input.remote, commit, input.now ?? new Date(), {
      ...repo.env,
      [INNER_PUSH_ENV]: '1',
    })
  }
  const alreadyOn = [...new Set(onBranches.values())].sort()
  const reason = branch === undefined ? `data already on ${alreadyOn.join(', ')}` : `data moved to ${branch}`
  const moved = await moveRefBack(
    repo,
    update,
    update.remoteSha,
    content.newData.map((file) => file.path),
    reason,
  )
  const otherRefs = parsePushLines(input.stdin)
    .filter((line) => line.remoteRef !== MAIN_REF)
    .map((line) => `${line.localRef}:${line.remoteRef}`)
  const message = movedMessage({
    remote: input.remote,
    branch,
    alreadyOn,
    files: fresh.length,
    pairs,
    qaSummary,
    againstNote,
    movedRef: moved.moved,
    moveNote: moved.note,
    resetTo: update.remoteSha,
    otherRefs,
  })
  return {
    exitCode: 1,
    message,
    result: {
      action: 'moved',
      branch,
      alreadyOn,
      files: fresh.length,
      pairs,
      movedRef: moved.moved,
      resetTo: update.remoteSha,
    },
  }
}

async function isAncestor(repo: HookRepo, ancestor: string, descendant: string): Promise<boolean> {
  const run = await spawnGit(['merge-base', '--is-ancestor', ancestor, descendant], {
    cwd: repo.topLevel ?? repo.gitDir,
    env: repo.env,
  })
  return run.code === 0
}

function commitMessage(files: readonly NewDataFile[], pairs: number, update: PushUpdate): string {
  return [
    `data: add ${String(pairs)} new training pair${pairs === 1 ? '' : 's'}`,
    '',
    `Moved by the WMS Studio pre-push hook from a push to main (${update.localRef} ${update.localSha.slice(0, 12)}):`,
    `${String(files.length)} file(s), on top of the remote's main ${update.remoteSha.slice(0, 12)}.`,
    '',
  ].join('\n')
}
