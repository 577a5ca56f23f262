import path from 'node:path'
import type { PipelineRunRecord, TrainOutput } from '@wms/shared/pipeline/run-record'
import type { EventSink } from '../../events/event-sink.js'
import { openWorkspaceTracking } from '../../registry/open-workspace-tracking.js'
import { selectBackend } from '../../train/backend/select-backend.js'
import { resolveWorkspacePath } from '../../workspace/workspace-config-file.js'
import { ensureMergedDataset, exists, qaReportFile, type PipelineContext } from '../pipeline-context.js'
import { trainAndTrack } from '../train-and-track.js'

/** Where training writes the candidate model inside the branch worktree. */
export function candidateDir(context: PipelineContext): string {
  return path.join(context.branchTree, 'models', 'candidate')
}

/**
 * train: the U-Net on the merged dataset, recorded in MLflow with the QA report (see `trainAndTrack`). The MLflow
 * run's id is written to the record as soon as the run exists, so a run a kill -9 leaves RUNNING is ended KILLED
 * by the resume or the cleanup.
 */
export async function trainStep(
  context: PipelineContext,
  record: PipelineRunRecord,
  onRunCreated: (runId: string) => Promise<void>,
): Promise<TrainOutput> {
  await ensureMergedDataset(context, record)
  const backend = await selectBackend(context.training.backend, { events: context.events, env: context.env })
  const qaFile = qaReportFile(context)
  const created: Promise<void>[] = []
  const result = await trainAndTrack({
    workspaceRoot: context.branchTree,
    workspaceConfig: context.config,
    training: context.training,
    datasetRoot: resolveWorkspacePath(context.branchTree, context.config.dataset.root),
    outDir: candidateDir(context),
    backend,
    resume: false,
    qaReport: (await exists(qaFile)) ? { file: qaFile } : 'dataset',
    events: watchRunCreation(context.events, (runId) => created.push(onRunCreated(runId))),
    env: context.env,
    ...(context.signal === undefined ? {} : { signal: context.signal }),
  })
  await Promise.all(created)
  if (result.runId === null) throw new Error('Training did not record an MLflow run.')
  const test = result.result.testMetrics?.aggregate
  return {
    runId: result.runId,
    experiment: result.experiment,
    epochs: result.result.epochsRun,
    bestEpoch: result.result.bestEpoch,
    counts: result.result.counts,
    test: test === undefined ? null : { dice: test.dice, iou: test.iou },
    backend: result.result.backend.name,
  }
}

// trainAndTrack announces the run it created in a log event; that is the earliest moment its id is known.
function watchRunCreation(events: EventSink, onRun: (runId: string) => void): EventSink {
  return {
    emit: (event) => {
      if (event.type === 'log') {
        const match = /^Recording MLflow run ([0-9a-f]{32})\b/.exec(event.message)
        if (match?.[1] !== undefined) onRun(match[1])
      }
      events.emit(event)
    },
  }
}

/** Ends an MLflow run a crashed or stopped pipeline left RUNNING (KILLED), so the gate can never pick it up. */
export async function endAbandonedRun(context: PipelineContext, runId: string | null): Promise<void> {
  if (runId === null) return
  const { store } = await openWorkspaceTracking(context.root, { env: context.env })
  const run = await store.getRun(runId).catch(() => undefined)
  if (run?.info.status !== 'RUNNING') return
  await store.updateRun(runId, { status: 'KILLED', endTime: Date.now() })
  context.events.emit({
    type: 'log',
    level: 'warn',
    message: `MLflow run ${runId} was left RUNNING by an interrupted pipeline; ended it KILLED.`,
  })
}
