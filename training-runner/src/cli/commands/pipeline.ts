import path from 'node:path'
import { readFile } from 'node:fs/promises'
import { WmsError } from '@wms/shared/errors'
import { PIPELINE_RUN_STEPS, type PipelineRunRecord, type PipelineRunStep } from '@wms/shared/pipeline/run-record'
import { formatDuration } from '@wms/shared/util/format'
import { LocalRunner } from '../../pipeline/local-runner.js'
import { listRunRecords, readRunRecord, reportFile } from '../../pipeline/run-record-file.js'
import { runPipeline } from '../../pipeline/run-pipeline.js'
import type { CommandContext, CommandOutcome } from '../context.js'
import { resolveTrainingInputs } from './train-support.js'

/** Options of `pipeline run`. */
export interface PipelineRunCommandOptions {
  branch: string
  workspace: string
  remote: string
  step?: PipelineRunStep
  resume?: boolean
  config?: string
  settle: number
}

/** Options of `pipeline status`. */
export interface PipelineStatusCommandOptions {
  branch?: string
  workspace: string
}

/** Options of `pipeline watch`. */
export interface PipelineWatchCommandOptions {
  workspace: string
  remote: string
  poll: number
  once?: boolean
}

/** `training-runner pipeline run --branch data/…`: the whole pipeline (or one step) to a verdict; exit 1 unless merged. */
export async function pipelineRunCommand(
  options: PipelineRunCommandOptions,
  context: CommandContext,
): Promise<CommandOutcome> {
  const root = path.resolve(context.io.cwd, options.workspace)
  const trainingOverrides =
    options.config === undefined
      ? undefined
      : (await resolveTrainingInputs(context.io.cwd, { workspace: root, config: options.config })).config
  const record = await withStopSignals(
    context,
    'Stopping the pipeline after this step; the record says where…',
    (signal) =>
      runPipeline({
        root,
        branch: options.branch,
        remote: options.remote,
        env: context.io.env,
        events: context.events,
        signal,
        settleMs: options.settle,
        ...(options.resume === true ? { resume: true } : {}),
        ...(options.step === undefined ? {} : { step: options.step }),
        ...(trainingOverrides === undefined ? {} : { trainingOverrides }),
      }),
  )
  const unfinished = record.verdict === null
  return {
    exitCode: record.verdict?.outcome === 'merged' || (unfinished && options.step !== undefined) ? 0 : 1,
    result: record,
    human: describeRecord(record, root),
  }
}

/** `training-runner pipeline status [--branch …]`. */
export async function pipelineStatusCommand(
  options: PipelineStatusCommandOptions,
  context: CommandContext,
): Promise<CommandOutcome> {
  const root = path.resolve(context.io.cwd, options.workspace)
  if (options.branch !== undefined) {
    const record = await readRunRecord(root, options.branch)
    if (record === undefined) {
      throw new WmsError('fs/not-found', `${options.branch} has no pipeline run in ${root}.`, {
        hint: `Start one: training-runner pipeline run --branch ${options.branch}`,
      })
    }
    const report = await readFile(reportFile(root, options.branch), 'utf8').catch(() => undefined)
    return { exitCode: 0, result: { ...record, reportMarkdown: report ?? null }, human: describeRecord(record, root) }
  }
  const records = await listRunRecords(root)
  const lines = records.map(
    (record) =>
      `${record.branch}  ${record.commit.slice(0, 8)}  ${record.status === 'done' ? (record.verdict?.outcome ?? 'done') : `${record.status} (${currentStep(record) ?? '-'})`}  ${record.verdict?.headline ?? ''}`,
  )
  return {
    exitCode: 0,
    result: records,
    human: lines.length === 0 ? 'No pipeline runs in this workspace yet.' : lines.join('\n'),
  }
}

/** `training-runner pipeline watch`: the local runner in a terminal. */
export async function pipelineWatchCommand(
  options: PipelineWatchCommandOptions,
  context: CommandContext,
): Promise<CommandOutcome> {
  const root = path.resolve(context.io.cwd, options.workspace)
  const ran: PipelineRunRecord[] = []
  const runner = new LocalRunner({
    root,
    remote: options.remote,
    pollMs: options.poll,
    events: context.events,
    execute: async (branch, resume, signal) => {
      const record = await runPipeline({
        root,
        branch,
        remote: options.remote,
        env: context.io.env,
        events: context.events,
        signal,
        resume,
        settleMs: 1_000,
      })
      ran.push(record)
      return record
    },
  })
  if (options.once === true) await runner.runPending()
  else {
    await withStopSignals(context, 'Stopping the local runner after the current step…', async (signal) => {
      runner.start()
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
      await runner.stop()
    })
  }
  return {
    exitCode: 0,
    result: ran,
    human:
      ran.length === 0
        ? 'No data branch to run.'
        : ran.map((record) => `${record.branch}: ${record.verdict?.headline ?? record.status}`).join('\n'),
  }
}

/**
 * The stop signal for a long run: the CLI's cooperative Ctrl-C/SIGTERM (cli/interrupt.ts) when it is installed, so
 * the first signal ends the run at a step boundary with its record saying so (a second one still stops at once).
 */
async function withStopSignals<T>(
  context: CommandContext,
  acknowledge: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const fromCli = context.interrupts?.signal(acknowledge)
  if (fromCli !== undefined) return work(fromCli)
  const abort = new AbortController()
  const stop = (): void => {
    abort.abort()
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  try {
    return await work(abort.signal)
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
  }
}

function currentStep(record: PipelineRunRecord): PipelineRunStep | undefined {
  return PIPELINE_RUN_STEPS.find((step) => record.steps[step].status !== 'ok')
}

/** The record for a person: verdict, what to do, each step with its time and summary. */
export function describeRecord(record: PipelineRunRecord, root: string): string {
  const lines = [`${record.branch} at ${record.commit.slice(0, 12)}: ${record.status}`]
  if (record.verdict !== null) {
    lines.push(`  verdict   ${record.verdict.outcome}: ${record.verdict.headline}`)
    for (const detail of record.verdict.details.slice(0, 10)) lines.push(`            - ${detail}`)
    lines.push(`  next      ${record.verdict.action}`)
  }
  for (const step of PIPELINE_RUN_STEPS) {
    const state = record.steps[step]
    const time = state.seconds === undefined ? '' : formatDuration(state.seconds)
    lines.push(`  ${step.padEnd(8)}  ${state.status.padEnd(7)}  ${time.padStart(7)}  ${state.summary ?? ''}`)
  }
  if (record.report !== null)
    lines.push(`  report    ${path.join(path.dirname(reportFile(root, record.branch)), record.report)}`)
  return lines.join('\n')
}
