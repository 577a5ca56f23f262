import { hostname } from 'node:os'
import { setTimeout as delay } from 'node:timers/promises'
import { rm } from 'node:fs/promises'
import { toAppError, WmsError } from '@wms/shared/errors'
import { formatScore } from '@wms/shared/gate/format-numbers'
import { renderRunReport } from '@wms/shared/pipeline/render-run-report'
import {
  newRunRecord,
  PIPELINE_RUN_STEPS,
  type PipelineRunRecord,
  type PipelineRunStep,
  type PipelineVerdict,
} from '@wms/shared/pipeline/run-record'
import type { EventSink } from '../events/event-sink.js'
import { writeFileAtomic } from '../tracking/file-store/fs-util.js'
import { ensureWorkDir, openPipelineContext, type ContextOptions, type PipelineContext } from './pipeline-context.js'
import {
  fetchBranches,
  MAIN_BRANCH,
  remoteBranchCommit,
  removeWorktree,
  resolveRef,
  trackingRef,
} from './pipeline-git.js'
import { readRunRecord, reportFile, writeRunRecord } from './run-record-file.js'
import { mergeStep } from './steps/merge-step.js'
import { gateStep, promoteStep } from './steps/model-steps.js'
import { publishStep } from './steps/publish-step.js'
import { qaStep } from './steps/qa-step.js'
import { endAbandonedRun, trainStep } from './steps/train-step.js'
import { failureVerdict, PipelineStop, refuse } from './verdicts.js'
import { withWorkspaceLock } from './workspace-lock.js'

/**
 * The data pipeline of one branch: merge → qa → train → gate → promote → publish, one definition for the local
 * runner and CI. Each step is a function with typed output that the run record keeps; the record is written
 * atomically before and after every step, so a run killed at any point is finished by `--resume` (steps that
 * completed are not repeated, the one in progress is redone: every step is idempotent). The merge and the
 * promotion reach main last and together (publish). One pipeline at a time per workspace.
 */

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions extends ContextOptions {
  /** Finish the branch's recorded run instead of starting over. */
  resume?: boolean
  /** Run only this step (the steps before it must be done). */
  step?: PipelineRunStep
  /** Before merging, wait this long and refuse when the branch moved meanwhile (a push still arriving). */
  settleMs?: number
  /** How long to wait for a pipeline already running in the workspace (default: as long as it takes). */
  lockWaitMs?: number
}

/** Runs (or resumes) the pipeline of `options.branch` and returns its record; the verdict says how it ended. */
export async function runPipeline(options: RunPipelineOptions): Promise<PipelineRunRecord> {
  const events = branchSink(options.events, options.branch)
  return withWorkspaceLock(
    options.root,
    {
      purpose: `pipeline ${options.branch}`,
      events,
      ...(options.lockWaitMs === undefined ? {} : { waitMs: options.lockWaitMs }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    },
    async () => {
      const context = await openPipelineContext({ ...options, events })
      try {
        return await runLocked(context, options)
      } finally {
        context.store.close()
      }
    },
  )
}

/** Every event of the run names its branch (the app shows several branches). */
function branchSink(events: EventSink, branch: string): EventSink {
  return { emit: (event) => events.emit({ ...event, branch }) }
}

async function runLocked(context: PipelineContext, options: RunPipelineOptions): Promise<PipelineRunRecord> {
  let record = await startingRecord(context, options)
  if (record.status === 'done' && options.step === undefined) return record
  record = await save(context, { ...record, status: 'running', holder: { host: hostname(), pid: process.pid } })
  await ensureWorkDir(context)
  context.events.emit({
    type: 'log',
    level: 'info',
    message: `Pipeline of ${context.branch} at ${record.commit.slice(0, 12)}: ${PIPELINE_RUN_STEPS.join(' → ')}`,
  })
  for (const step of PIPELINE_RUN_STEPS) {
    if (record.steps[step].status === 'ok') {
      // `--step X` when X is done already (a CI job rerun): nothing to do.
      if (step === options.step) break
      continue
    }
    if (options.step !== undefined && step !== options.step) {
      throw new WmsError('usage/invalid-arguments', `The ${step} step of ${context.branch} has not run yet.`, {
        hint: `Run the steps in order: merge, qa, train, gate, promote, publish (or the whole pipeline without --step).`,
      })
    }
    try {
      if (step === 'merge') await assertSettled(context, record, options.settleMs ?? 0)
      record = await runStep(context, record, step)
    } catch (thrown) {
      return stopped(context, record, step, thrown)
    }
    if (options.step !== undefined) break
  }
  if (record.steps.publish.status !== 'ok') return save(context, { ...record, holder: null })
  const verdict: PipelineVerdict = {
    outcome: 'merged',
    step: 'publish',
    headline: `Merged: ${String(record.merge?.images.new ?? 0)} new pairs are in the dataset and ${record.promote?.modelName ?? 'the model'} v${record.promote?.version ?? '?'} is production.`,
    details: record.gate?.reasons ?? [],
    action:
      record.publish?.pullRequest?.autoMerge === true
        ? `Nothing to do: GitHub merges PR #${String(record.publish.pullRequest.number)} when its required checks pass.`
        : record.publish?.branchDeleted === false
          ? `Nothing to do; delete ${context.branch} on ${context.remote} if it is still there.`
          : 'Nothing to do.',
  }
  return finish(context, { ...record, verdict })
}

/** The record to work on: the recorded run (resume, --step) or a new one at the branch's current commit. */
async function startingRecord(context: PipelineContext, options: RunPipelineOptions): Promise<PipelineRunRecord> {
  const existing = await readRunRecord(context.root, context.branch)
  // `--step merge` starts a run (CI's first job); any other step continues the recorded one.
  if (options.resume === true || (options.step !== undefined && options.step !== 'merge')) {
    if (existing === undefined) {
      throw new WmsError('usage/invalid-arguments', `${context.branch} has no pipeline run to resume.`, {
        hint: `Start it: training-runner pipeline run --branch ${context.branch}`,
      })
    }
    if (existing.status === 'done' && existing.verdict?.outcome !== 'failed') {
      context.events.emit({
        type: 'log',
        level: 'info',
        message: `${context.branch} already finished: ${existing.verdict?.headline ?? ''}`,
      })
      return existing
    }
    await fetchBranches(context.root, context.remote, [MAIN_BRANCH]).catch(() => undefined)
    if (existing.verdict?.outcome !== 'failed') return existing
    return {
      ...existing,
      verdict: null,
      finishedAt: null,
      steps: Object.fromEntries(
        PIPELINE_RUN_STEPS.map((step) => [
          step,
          existing.steps[step].status === 'ok' ? existing.steps[step] : { status: 'pending' },
        ]),
      ) as PipelineRunRecord['steps'],
    }
  }
  // A fresh run: whatever an earlier run of this branch left (worktrees, a RUNNING MLflow run) goes first.
  if (existing !== undefined && existing.status !== 'done') await cleanUp(context, existing)
  await fetchBranches(context.root, context.remote, [context.branch, MAIN_BRANCH]).catch((thrown: unknown) => {
    throw new WmsError(
      'git/failed',
      `Cannot fetch ${context.branch} and ${MAIN_BRANCH} from ${context.remote}: ${(thrown as Error).message}`,
      {
        hint: `Check that ${context.branch} exists on ${context.remote} (\`git ls-remote ${context.remote}\`).`,
      },
    )
  })
  const tip = await resolveRef(context.root, trackingRef(context.remote, context.branch))
  if (tip === undefined) throw new WmsError('git/failed', `${context.branch} is not on ${context.remote}.`)
  return newRunRecord(context.branch, tip, Date.now())
}

/** A push still arriving moves the branch within moments: wait, and refuse if it moved. */
async function assertSettled(context: PipelineContext, record: PipelineRunRecord, settleMs: number): Promise<void> {
  if (settleMs <= 0) return
  await delay(settleMs)
  const now = await remoteBranchCommit(context.root, context.remote, context.branch)
  if (now === record.commit) return
  throw refuse(
    'merge',
    `The push of ${context.branch} was still arriving: the branch moved from ${record.commit.slice(0, 12)} to ${now?.slice(0, 12) ?? 'nothing'} as the pipeline started.`,
    [],
    'Nothing to do: the runner runs the branch again once it stops moving.',
  )
}

const STEP_FUNCTIONS = {
  merge: mergeStep,
  qa: qaStep,
  gate: gateStep,
  promote: promoteStep,
  publish: publishStep,
} as const

async function runStep(
  context: PipelineContext,
  record: PipelineRunRecord,
  step: PipelineRunStep,
): Promise<PipelineRunRecord> {
  const startedAt = Date.now()
  let current = await save(context, { ...record, steps: { ...record.steps, [step]: { status: 'running', startedAt } } })
  crashHook(context, 'before', step)
  // Steps whose library function does not announce itself.
  if (step === 'train' || step === 'publish') {
    context.events.emit({
      type: 'step-start',
      step,
      title: step === 'train' ? 'Training the candidate on the merged dataset' : `Publishing to ${MAIN_BRANCH}`,
    })
  }
  let output
  if (step === 'train') {
    if (current.mlflowRunId !== null) await endAbandonedRun(context, current.mlflowRunId)
    output = await trainStep(context, current, async (runId) => {
      current = await save(context, { ...current, mlflowRunId: runId })
    })
  } else output = await STEP_FUNCTIONS[step](context, current)
  crashHook(context, 'after', step)
  const seconds = (Date.now() - startedAt) / 1000
  const updated = { ...current, [step]: output } as PipelineRunRecord
  const summary = summarize(step, updated)
  if (step === 'train' || step === 'publish')
    context.events.emit({ type: 'step-end', step, status: 'ok', seconds, summary })
  return save(context, {
    ...updated,
    steps: { ...updated.steps, [step]: { status: 'ok', startedAt, seconds, summary } },
  })
}

/** A step stopped the run: a verdict (refused, not improved), a failure, or a stop request. */
async function stopped(
  context: PipelineContext,
  record: PipelineRunRecord,
  step: PipelineRunStep,
  thrown: unknown,
): Promise<PipelineRunRecord> {
  const latest = (await readRunRecord(context.root, context.branch)) ?? record
  const startedAt = latest.steps[step].startedAt ?? Date.now()
  const seconds = (Date.now() - startedAt) / 1000
  if (context.signal?.aborted === true || (thrown instanceof WmsError && thrown.code === 'cancelled')) {
    // Interrupted (the app quits, Ctrl-C): nothing is decided; the next start resumes from this step.
    await endAbandonedRun(context, latest.train === null ? latest.mlflowRunId : null).catch(() => undefined)
    await save(context, {
      ...latest,
      status: 'interrupted',
      holder: null,
      steps: { ...latest.steps, [step]: { status: 'pending' } },
    })
    throw thrown
  }
  const verdict = thrown instanceof PipelineStop ? thrown.verdict : failureVerdict(step, context.branch, thrown)
  const output = thrown instanceof PipelineStop && thrown.output !== undefined ? { [step]: thrown.output } : {}
  if (!(thrown instanceof PipelineStop)) {
    context.events.emit({ type: 'error', step, error: toAppError(thrown) })
  }
  const steps = {
    ...latest.steps,
    [step]: { status: 'failed' as const, startedAt, seconds, summary: verdict.headline },
  }
  for (const later of PIPELINE_RUN_STEPS.slice(PIPELINE_RUN_STEPS.indexOf(step) + 1))
    steps[later] = { status: 'skipped' }
  return finish(context, { ...latest, ...output, steps, verdict })
}

/** Ends a run: cleans up, writes the report next to the record, and says how it ended. */
async function finish(context: PipelineContext, record: PipelineRunRecord): Promise<PipelineRunRecord> {
  await cleanUp(context, record)
  const finished: PipelineRunRecord = {
    ...record,
    status: 'done',
    holder: null,
    finishedAt: Date.now(),
    report: reportFile(context.root, context.branch).split(/[\\/]/).at(-1) ?? null,
  }
  await writeFileAtomic(reportFile(context.root, context.branch), `${renderRunReport(finished)}\n`)
  const saved = await save(context, finished)
  const verdict = saved.verdict
  if (verdict !== null) {
    context.events.emit({
      type: 'log',
      level: verdict.outcome === 'merged' ? 'info' : 'warn',
      message: `${verdict.outcome}: ${verdict.headline} ${verdict.action}`,
    })
  }
  return saved
}

/** Removes the run's worktrees and scratch files, and ends an MLflow run it left RUNNING. */
async function cleanUp(context: PipelineContext, record: PipelineRunRecord): Promise<void> {
  if (record.train === null) await endAbandonedRun(context, record.mlflowRunId).catch(() => undefined)
  await removeWorktree(context.root, context.branchTree)
  await removeWorktree(context.root, context.mainTree)
  await rm(context.workDir, { recursive: true, force: true })
}

async function save(context: PipelineContext, record: PipelineRunRecord): Promise<PipelineRunRecord> {
  return writeRunRecord(context.root, record)
}

/** One line per step for the record, the events and the report. */
function summarize(step: PipelineRunStep, record: PipelineRunRecord): string {
  switch (step) {
    case 'merge':
      return `${String(record.merge?.images.new ?? 0)} new pairs, ${String(record.merge?.images.total ?? 0)} in total`
    case 'qa':
      return `${String(record.qa?.pairs ?? 0)} pairs: ${String(record.qa?.errors ?? 0)} errors, ${String(record.qa?.warnings ?? 0)} warnings`
    case 'train':
      return `run ${record.train?.runId.slice(0, 8) ?? '?'}: test Dice ${formatScore(record.train?.test?.dice)}, IoU ${formatScore(record.train?.test?.iou)} (${String(record.train?.counts.test ?? 0)} test pairs)`
    case 'gate':
      return record.gate?.headline ?? ''
    case 'promote':
      return `v${record.promote?.version ?? '?'} is production${(record.promote?.previousVersion ?? null) === null ? '' : ` (was v${record.promote?.previousVersion ?? ''})`}`
    case 'publish':
      return `main at ${record.publish?.mainCommit.slice(0, 12) ?? '?'}${record.publish?.branchDeleted === true ? ', branch deleted' : ''}`
  }
}

/**
 * For the crash tests: `WMS_PIPELINE_KILL_AT=before:<step>` or `after:<step>` kills this process with SIGKILL at
 * that point — after the step's side effects but before the record says so, for `after` — exactly as a power cut
 * or `kill -9` would.
 */
function crashHook(context: PipelineContext, phase: 'before' | 'after', step: PipelineRunStep): void {
  if (context.env.WMS_PIPELINE_KILL_AT === `${phase}:${step}`) process.kill(process.pid, 'SIGKILL')
}
