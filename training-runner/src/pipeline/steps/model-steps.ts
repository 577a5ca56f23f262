import type { GateVerdict } from '@wms/shared/gate/verdict'
import type { PipelineRunRecord, PromoteOutput } from '@wms/shared/pipeline/run-record'
import { runGate } from '../../registry/gate-workflow.js'
import { openWorkspaceTracking } from '../../registry/open-workspace-tracking.js'
import { promote } from '../../registry/promote.js'
import { trainingEvaluationPorts } from '../../registry/training-evaluation.js'
import { ensureMergedDataset, exists, prepareMainTree, type PipelineContext } from '../pipeline-context.js'
import {
  MAIN_BRANCH,
  changedPaths,
  fetchBranches,
  remoteBranchCommit,
  resolveRef,
  trackingRef,
} from '../pipeline-git.js'
import { PipelineStop, refuse } from '../verdicts.js'
import { candidateDir } from './train-step.js'

/** Files the pipeline writes on main: the merged `.dvc` files and the production files. */
export function filesOnMain(record: PipelineRunRecord): string[] {
  return [...Object.keys(record.merge?.dvcFiles ?? {}), 'model-metadata.json', 'models/production-history.jsonl']
}

/**
 * gate: candidate and production evaluated on the same test split of the merged dataset; the verdict is recorded
 * with the candidate run. A candidate that is not better stops the pipeline: no promotion, main unchanged, the
 * branch kept.
 */
export async function gateStep(context: PipelineContext, record: PipelineRunRecord): Promise<GateVerdict> {
  const runId = record.train?.runId
  if (runId === undefined) throw new Error('The train step has not run.')
  await ensureMergedDataset(context, record)
  const { config, store } = await openWorkspaceTracking(context.branchTree, { env: context.env })
  const candidate = candidateDir(context)
  const result = await runGate({
    store,
    workspaceRoot: context.branchTree,
    config,
    candidateRunId: runId,
    ports:
      context.ports ??
      trainingEvaluationPorts({ backend: context.training.backend, events: context.events, env: context.env }),
    ...((await exists(candidate)) ? { candidateModelDir: candidate } : {}),
    events: context.events,
    ...(context.signal === undefined ? {} : { signal: context.signal }),
  })
  const verdict = result.verdict
  if (!verdict.pass) {
    const stop = new PipelineStop({
      outcome: 'not-improved',
      step: 'gate',
      headline: verdict.headline,
      details: verdict.reasons,
      action: `Main is unchanged and ${context.branch} is kept. Add more (or better) pairs and push again; the data merges with the next model that beats production.`,
    })
    stop.output = verdict
    throw stop
  }
  return verdict
}

/**
 * promote: moves production to the candidate (registry version, alias, `model-metadata.json`, history), but only
 * when main can still take the merge in the same commit: the branch is still at the commit that was gated (a push
 * that arrived meanwhile refuses; the runner runs the new commit), and main has not changed the files the publish
 * step writes. Idempotent: a rerun after a crash finds the version production already.
 */
export async function promoteStep(context: PipelineContext, record: PipelineRunRecord): Promise<PromoteOutput> {
  await assertBranchUnchanged(context, record)
  const main = await currentMain(context, record, 'promote')
  await prepareMainTree(context, record, main)
  return promoteInto(context, record)
}

/** Runs the (idempotent) promotion with the main worktree as the workspace whose production files it writes. */
export async function promoteInto(context: PipelineContext, record: PipelineRunRecord): Promise<PromoteOutput> {
  const runId = record.train?.runId
  if (runId === undefined || record.gate === null) throw new Error('The gate step has not passed.')
  const { config, store } = await openWorkspaceTracking(context.mainTree, { env: context.env })
  const result = await promote({
    store,
    workspaceRoot: context.mainTree,
    config,
    runId,
    verdict: record.gate,
    source: { branch: context.branch },
    events: context.events,
  })
  return {
    modelName: result.modelName,
    version: result.version,
    previousVersion: result.previousVersion,
    promotedAt: result.promotedAt,
  }
}

/** Refuses when the branch moved on the remote since the run started (a push was still arriving). */
export async function assertBranchUnchanged(context: PipelineContext, record: PipelineRunRecord): Promise<void> {
  const now = await remoteBranchCommit(context.root, context.remote, context.branch)
  if (now === record.commit) return
  throw refuse(
    'promote',
    now === undefined
      ? `${context.branch} was deleted from ${context.remote} while the pipeline ran.`
      : `${context.branch} moved while the pipeline ran (a push was still arriving): it ran on ${record.commit.slice(0, 12)}, the branch is now at ${now.slice(0, 12)}.`,
    [],
    now === undefined
      ? 'Nothing was merged or promoted. Push the branch again to run it.'
      : 'Nothing was merged or promoted. The local runner runs the branch again at its new commit (or run `training-runner pipeline run --branch` yourself).',
  )
}

/**
 * Main as it is now on the remote. When it moved since the merge (someone committed), the publish commit goes
 * on top of it — unless the new commits touched the files the pipeline writes, which would make the merge stale.
 */
export async function currentMain(
  context: PipelineContext,
  record: PipelineRunRecord,
  step: 'promote' | 'publish',
): Promise<string> {
  await fetchBranches(context.root, context.remote, [MAIN_BRANCH])
  const main = await resolveRef(context.root, trackingRef(context.remote, MAIN_BRANCH))
  const mergedInto = record.merge?.main
  if (main === undefined || mergedInto === undefined) throw new Error(`${context.remote} has no ${MAIN_BRANCH} branch.`)
  if (main === mergedInto) return main
  const ours = new Set(filesOnMain(record))
  const touched = (await changedPaths(context.root, mergedInto, main)).filter((change) => ours.has(change.path))
  if (touched.length === 0) return main
  throw refuse(
    step,
    `${MAIN_BRANCH} changed the dataset or the production files while the pipeline ran, so this merge is stale.`,
    touched.map((change) => `${change.path} changed on ${MAIN_BRANCH}`),
    `Run the branch again on the new ${MAIN_BRANCH}: \`training-runner pipeline run --branch ${context.branch}\`.`,
  )
}
