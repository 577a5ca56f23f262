import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { GatePolicy } from '@wms/shared/config/gate-policy'
import type { WorkspaceConfig } from '@wms/shared/config/workspace-config'
import { toAppError } from '@wms/shared/errors'
import { evaluateGate } from '@wms/shared/gate/evaluate-gate'
import { productionLabel } from '@wms/shared/gate/format-numbers'
import { renderVerdictMarkdown, renderVerdictText } from '@wms/shared/gate/render-verdict'
import type { GateBaseline, GateVerdict, ModelEvaluation } from '@wms/shared/gate/verdict'
import { ARTIFACT_PATHS, RUN_TAGS } from '@wms/shared/tracking/tags'
import { nullSink, type EventSink } from '../events/event-sink.js'
import type { TrackingStore } from '../tracking/tracking-store.js'
import type { EvaluationPorts, TestPair } from './evaluation-port.js'
import { productionSince } from './production-pointer.js'
import { resolveProduction, type ProductionResolution } from './resolve-production.js'

/**
 * The gate as a workflow: gather inputs (candidate run by its exact id, the current test split, production from
 * the registry), evaluate candidate AND production on the same pairs, call the pure {@link evaluateGate}, record
 * the verdict on the candidate run (tags, metrics, `gate/verdict.json` + `.md`) and report it as a `gate` event.
 */

/** Options of {@link runGate}. */
export interface RunGateOptions {
  store: TrackingStore
  workspaceRoot: string
  config: WorkspaceConfig
  /** The candidate, exactly: the run the training job created (never "the latest run in the experiment"). */
  candidateRunId: string
  ports: EvaluationPorts
  /** Explicitly allow passing when production exists but cannot be evaluated (bootstrapping). */
  allowBootstrap?: boolean
  /** Overrides `config.gate`. */
  policy?: GatePolicy
  /** The candidate's model folder when the caller already has it (same job); otherwise it is downloaded. */
  candidateModelDir?: string
  /** Record the verdict on the candidate run (default true). */
  record?: boolean
  events?: EventSink
  signal?: AbortSignal
}

/** What {@link runGate} returns. */
export interface GateRunResult {
  verdict: GateVerdict
  production: ProductionResolution
  testPairs: number
  text: string
  markdown: string
}

/** Runs the gate for one candidate run (see the module comment). */
export async function runGate(options: RunGateOptions): Promise<GateRunResult> {
  const events = options.events ?? nullSink
  const started = Date.now()
  const { store, config } = options
  const modelName = config.tracking.registeredModel
  events.emit({ type: 'step-start', step: 'gate', title: `Gating run ${options.candidateRunId} against production` })
  const run = await store.getRun(options.candidateRunId)
  const testPairs = await options.ports.loadTestSplit(options.workspaceRoot, config)
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'wms-gate-'))
  try {
    const progress = (done: number, message: string) =>
      events.emit({ type: 'progress', step: 'gate', done, total: 4, unit: 'steps', message })

    progress(0, 'evaluating the candidate')
    let candidate: { runId: string; evaluation?: ModelEvaluation; error?: string } = { runId: run.info.runId }
    if (run.info.status !== 'FINISHED') {
      candidate.error = `run ${run.info.runId} is ${run.info.status}, not FINISHED`
    } else {
      candidate = {
        ...candidate,
        ...(await evaluateSafely(
          options,
          testPairs,
          workDir,
          'candidate',
          async (dir) =>
            options.candidateModelDir ?? store.downloadArtifacts(run.info.runId, ARTIFACT_PATHS.model, dir),
        )),
      }
    }

    progress(1, 'finding production')
    const production = await resolveProduction(store, { modelName, workspaceRoot: options.workspaceRoot })
    let baseline: GateBaseline
    if (production.kind === 'none') baseline = { kind: 'none', reason: production.reason }
    else if (production.kind === 'unavailable') baseline = { kind: 'unavailable', reason: production.reason }
    else {
      progress(2, `evaluating ${productionLabel(production.ref)}`)
      const evaluated = await evaluateSafely(options, testPairs, workDir, 'production', (dir) =>
        store.downloadArtifactUri(production.ref.source, dir),
      )
      baseline =
        evaluated.evaluation === undefined
          ? {
              kind: 'unavailable',
              ref: production.ref,
              reason: `${capitalise(productionLabel(production.ref))} (${production.ref.source}) could not be evaluated: ${evaluated.error ?? 'unknown error'}`,
            }
          : { kind: 'evaluated', ref: production.ref, evaluation: evaluated.evaluation }
    }

    progress(3, 'deciding')
    const decided = evaluateGate(
      {
        candidate,
        baseline,
        ...(options.allowBootstrap === undefined ? {} : { allowBootstrap: options.allowBootstrap }),
      },
      options.policy ?? config.gate,
    )
    const verdict = stampVerdict(decided, production, new Date())
    const text = renderVerdictText(verdict)
    const markdown = renderVerdictMarkdown(verdict)
    if (options.record !== false) await recordVerdict(store, verdict, markdown, workDir)
    events.emit({
      type: 'gate',
      pass: verdict.pass,
      headline: verdict.headline,
      reasons: verdict.reasons,
      outcome: verdict.outcome,
      candidate: verdict.candidate,
      baseline:
        verdict.production === null
          ? null
          : { version: verdict.production.version, dice: verdict.production.dice, iou: verdict.production.iou },
    })
    events.emit({
      type: 'step-end',
      step: 'gate',
      status: verdict.pass ? 'ok' : 'failed',
      seconds: (Date.now() - started) / 1000,
      summary: verdict.headline,
    })
    return { verdict, production, testPairs: testPairs.length, text, markdown }
  } finally {
    await rm(workDir, { recursive: true, force: true })
  }
}

// Downloading or evaluating a model can fail in many ways; each becomes a sentence in the verdict, not a crash.
async function evaluateSafely(
  options: RunGateOptions,
  testPairs: readonly TestPair[],
  workDir: string,
  who: 'candidate' | 'production',
  fetchModel: (dir: string) => Promise<string>,
): Promise<{ evaluation?: ModelEvaluation; error?: string }> {
  const dir = path.join(workDir, who)
  await mkdir(dir, { recursive: true })
  let modelDir: string
  try {
    modelDir = await fetchModel(dir)
  } catch (thrown) {
    return { error: `its model files could not be downloaded (${toAppError(thrown).message})` }
  }
  try {
    const signal = options.signal
    return {
      evaluation: await options.ports.evaluateModel(modelDir, testPairs, signal === undefined ? {} : { signal }),
    }
  } catch (thrown) {
    return { error: `evaluating it failed (${toAppError(thrown).message})` }
  }
}

/** Stores the verdict with the candidate run, where `promote` reads it back. */
async function recordVerdict(
  store: TrackingStore,
  verdict: GateVerdict,
  markdown: string,
  workDir: string,
): Promise<void> {
  const runId = verdict.candidate.runId
  const dir = path.join(workDir, 'verdict', 'gate')
  await mkdir(dir, { recursive: true })
  await writeFile(
    path.join(dir, path.basename(ARTIFACT_PATHS.gateVerdictJson)),
    `${JSON.stringify(verdict, null, 2)}\n`,
  )
  await writeFile(path.join(dir, path.basename(ARTIFACT_PATHS.gateVerdictMarkdown)), `${markdown}\n`)
  await store.logArtifacts(runId, dir, path.dirname(ARTIFACT_PATHS.gateVerdictJson))
  const now = Date.now()
  const metrics: [string, number | null][] = [
    ['gate_candidate_dice', verdict.candidate.dice],
    ['gate_candidate_iou', verdict.candidate.iou],
    ['gate_production_dice', verdict.production?.dice ?? null],
    ['gate_production_iou', verdict.production?.iou ?? null],
  ]
  await store.logBatch(runId, {
    tags: {
      [RUN_TAGS.gateResult]: verdict.pass ? 'pass' : 'fail',
      [RUN_TAGS.gateOutcome]: verdict.outcome,
      [RUN_TAGS.gateHeadline]: verdict.headline.slice(0, 4000),
    },
    metrics: metrics.flatMap(([key, value]) => (value === null ? [] : [{ key, value, timestamp: now, step: 0 }])),
  })
}

/**
 * Adds when the gate decided and since when the production it judged against was production: `promote` refuses a
 * verdict once production has moved since, even if it moved back (a rollback), because the comparison is stale.
 */
function stampVerdict(verdict: GateVerdict, production: ProductionResolution, at: Date): GateVerdict {
  const version = production.kind === 'found' ? production.modelVersion : undefined
  return {
    ...verdict,
    decidedAt: at.toISOString(),
    production:
      verdict.production === null
        ? null
        : { ...verdict.production, since: version === undefined ? null : productionSince(version) },
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
