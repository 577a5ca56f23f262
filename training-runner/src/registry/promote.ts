import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { WorkspaceConfig } from '@wms/shared/config/workspace-config'
import { WmsError } from '@wms/shared/errors'
import type { ModelMetadataInput } from '@wms/shared/formats/model-metadata'
import { formatDelta } from '@wms/shared/gate/format-numbers'
import { GateVerdictSchema, type GateVerdict } from '@wms/shared/gate/verdict'
import { ARTIFACT_PATHS, PRODUCTION_ALIAS, RUN_TAGS, VERSION_TAGS } from '@wms/shared/tracking/tags'
import type { ModelVersion, Run } from '@wms/shared/tracking/types'
import { nullSink, type EventSink } from '../events/event-sink.js'
import type { TrackingStore } from '../tracking/tracking-store.js'
import {
  currentProductionVersion,
  ensureRegisteredModel,
  pointProductionAt,
  productionSince,
} from './production-pointer.js'
import { withPromotionLock, type PromotionLockOptions } from './promotion-lock.js'
import { appendProductionHistory, writeModelMetadataFile } from './workspace-files.js'

/**
 * Promotion: register the gated run as a model version (only promoted runs get versions), tag it with the gate's
 * verdict and provenance, move alias `production` to it, then write `model-metadata.json` and append
 * `models/production-history.jsonl`.
 *
 * Idempotent and safe to rerun after a crash at any point: an existing version of the run is reused, tags are
 * re-set, the alias is moved only if needed, the promotion time comes from the version's `promoted_at` tag, and
 * the history gets no duplicate line.
 */

/** Where the promotion came from (recorded as version tags and in the history). */
export interface PromotionSource {
  branch?: string
  pr?: number
  githubRun?: string
}

/** Options of {@link promote}. */
export interface PromoteOptions {
  store: TrackingStore
  workspaceRoot: string
  config: WorkspaceConfig
  runId: string
  /** The gate's verdict; default: the one `gate` recorded with the run (`gate/verdict.json`). */
  verdict?: GateVerdict
  source?: PromotionSource
  /** Also move the deprecated `Production` stage (for old consumers); it is always used when aliases are not supported. */
  alsoSetStage?: boolean
  /** Waiting for another promotion (tests shorten it). */
  lock?: Pick<PromotionLockOptions, 'waitMs' | 'staleAfterMs'>
  now?: () => Date
  events?: EventSink
}

/** What {@link promote} did. */
export interface PromoteResult {
  modelName: string
  version: string
  runId: string
  previousVersion: string | null
  /** True when the run was already production (a rerun). */
  alreadyProduction: boolean
  createdVersion: boolean
  pointer: 'alias' | 'stage'
  /** True when the deprecated `Production` stage was moved along with the alias. */
  stageMoved: boolean
  promotedAt: string
  historyAppended: boolean
  metadata: ModelMetadataInput
}

/** Promotes a gated run (see the module comment). */
export async function promote(options: PromoteOptions): Promise<PromoteResult> {
  const events = options.events ?? nullSink
  const started = Date.now()
  const { store, runId } = options
  const modelName = options.config.tracking.registeredModel
  events.emit({ type: 'step-start', step: 'promote', title: `Promoting run ${runId} to production` })

  const verdict = options.verdict ?? (await loadVerdict(store, runId))
  if (verdict.candidate.runId !== runId) {
    throw new WmsError('promote/not-gated', `The verdict is for run ${verdict.candidate.runId}, not ${runId}.`)
  }
  if (!verdict.pass) {
    throw new WmsError('promote/not-gated', `The gate did not pass for run ${runId}: ${verdict.headline}.`, {
      hint: 'Only a run that passed the gate can be promoted.',
    })
  }
  const run = await store.getRun(runId)
  await ensureRegisteredModel(store, modelName)
  // Production is read again inside the lock: a promotion that finished while this one waited changes the answer.
  const result = await withPromotionLock(
    store,
    modelName,
    { purpose: `promote run ${runId}`, events, ...options.lock },
    () => promoteLocked(options, verdict, run, modelName),
  )
  const summary = result.alreadyProduction
    ? `${modelName} v${result.version} was already production`
    : `${modelName} v${result.version} is production${result.previousVersion === null ? '' : ` (was v${result.previousVersion})`}`
  events.emit({ type: 'step-end', step: 'promote', status: 'ok', seconds: (Date.now() - started) / 1000, summary })
  return result
}

async function promoteLocked(
  options: PromoteOptions,
  verdict: GateVerdict,
  run: Run,
  modelName: string,
): Promise<PromoteResult> {
  const { store, runId } = options
  const current = await currentProductionVersion(store, modelName)
  const existing = (await store.searchModelVersions(modelName, { runId }))[0]
  const alreadyProduction = current !== undefined && existing !== undefined && current.version === existing.version
  if (!alreadyProduction) assertGateCoversProduction(verdict, current)

  let version: ModelVersion
  let createdVersion = false
  if (existing !== undefined) version = existing
  else {
    version = await store.createModelVersion({
      name: modelName,
      source: `${run.info.artifactUri.replace(/\/+$/, '')}/${ARTIFACT_PATHS.model}`,
      runId,
      description: verdict.headline.slice(0, 1000),
    })
    createdVersion = true
  }
  const now = options.now ?? (() => new Date())
  // A rerun of the same promotion (after a crash, or of a run that is production already) keeps its time and
  // previous version; a new gate of a version that is not production (after a rollback) is a new promotion, with
  // its own time and history line.
  const sameGate = verdict.decidedAt === undefined || version.tags[VERSION_TAGS.gateDecidedAt] === verdict.decidedAt
  const rerun = alreadyProduction || sameGate
  const previousVersion = alreadyProduction
    ? (version.tags[VERSION_TAGS.replacedVersion] ?? null)
    : (current?.version ?? null)
  const promotedAt = (rerun ? version.tags[VERSION_TAGS.promotedAt] : undefined) ?? now().toISOString()
  if (!alreadyProduction || sameGate) {
    const tags = versionTags(verdict, run, options.source ?? {}, promotedAt, previousVersion)
    for (const [key, value] of Object.entries(tags)) {
      if (version.tags[key] !== value) await store.setModelVersionTag(modelName, version.version, key, value)
    }
  }
  const move = await pointProductionAt(store, modelName, version.version, options.alsoSetStage === true)
  await store.setRunTag(runId, RUN_TAGS.registeredVersion, version.version)

  const metadata = metadataFor(modelName, version, run, verdict, options.source ?? {}, promotedAt, previousVersion)
  await writeModelMetadataFile(options.workspaceRoot, metadata)
  const historyAppended = await appendProductionHistory(options.workspaceRoot, {
    event: 'promote',
    version: Number(version.version),
    run_id: runId,
    ...(move.stageMoved ? { stage: 'Production' } : {}),
    ...(move.pointer === 'alias' ? { alias: PRODUCTION_ALIAS } : {}),
    timestamp: promotedAt,
    previous_version: previousVersion === null ? null : Number(previousVersion),
    metrics: { dice: verdict.candidate.dice, iou: verdict.candidate.iou },
    baseline: verdict.production === null ? null : { dice: verdict.production.dice, iou: verdict.production.iou },
    gate_outcome: verdict.outcome,
    ...optional('data_version', run.tags[RUN_TAGS.dataVersion]),
    ...optional('git_sha', run.tags[RUN_TAGS.gitSha]),
    ...optional('source_branch', options.source?.branch),
    ...(options.source?.pr === undefined ? {} : { pr: options.source.pr }),
    ...optional('github_run', options.source?.githubRun),
  })
  return {
    modelName,
    version: version.version,
    runId,
    previousVersion,
    alreadyProduction,
    createdVersion,
    pointer: move.pointer,
    stageMoved: move.stageMoved,
    promotedAt,
    historyAppended,
    metadata,
  }
}

/** Reads the verdict `gate` stored with a run; `promote/not-gated` when there is none. */
export async function loadVerdict(store: TrackingStore, runId: string): Promise<GateVerdict> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wms-verdict-'))
  try {
    let file: string
    try {
      file = await store.downloadArtifacts(runId, ARTIFACT_PATHS.gateVerdictJson, dir)
    } catch (thrown) {
      if (thrown instanceof WmsError && thrown.code === 'tracking/not-found') {
        throw new WmsError('promote/not-gated', `Run ${runId} has no gate verdict.`, {
          hint: `Run \`training-runner gate --run ${runId}\` first.`,
        })
      }
      throw thrown
    }
    const parsed = GateVerdictSchema.safeParse(JSON.parse(await readFile(file, 'utf8')))
    if (!parsed.success)
      throw new WmsError('promote/not-gated', `The gate verdict stored with run ${runId} is not readable.`)
    return parsed.data
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * A verdict may promote only against the production it judged. Production now (read inside the promotion lock) must
 * be the very version the gate evaluated and compared — unchanged since, not moved away and back — or, when the
 * gate compared with nothing (first model, bootstrap, an old `model-metadata.json`), there must still be no
 * production model in the registry.
 */
export function assertGateCoversProduction(verdict: GateVerdict, current: ModelVersion | undefined): void {
  const gated = verdict.production
  const rerun = `training-runner gate --run ${verdict.candidate.runId}`
  const refuse = (message: string): never => {
    throw new WmsError('promote/production-moved', message, {
      hint: `Run the gate again (\`${rerun}\`), then promote.`,
    })
  }
  if (current === undefined) {
    if (gated?.version !== null && gated?.version !== undefined && gated.via !== 'metadata') {
      refuse(`Production changed since the gate ran (gated against v${gated.version}, now none).`)
    }
    return
  }
  if (verdict.outcome !== 'improved' || gated === null) {
    const what = verdict.outcome === 'first-model' ? 'as the first model' : `as "${verdict.outcome}"`
    refuse(
      `The gate passed run ${verdict.candidate.runId} ${what}, without evaluating a production model, but ${current.name} v${current.version} is production now.`,
    )
  }
  if (
    gated?.version !== current.version ||
    (gated.runId !== null && current.runId !== undefined && gated.runId !== current.runId)
  ) {
    refuse(
      `Production changed since the gate ran (gated against ${gated?.version === null || gated?.version === undefined ? 'no registry version' : `v${gated.version}`}, now v${current.version}).`,
    )
  }
  const since = productionSince(current)
  if (gated?.since !== undefined && gated.since !== since) {
    refuse(
      `Production moved since the gate ran: v${current.version} became production again at ${since ?? 'an unknown time'}, after the gate compared with it${verdict.decidedAt === undefined ? '' : ` (${verdict.decidedAt})`}.`,
    )
  }
}

function versionTags(
  verdict: GateVerdict,
  run: Run,
  source: PromotionSource,
  promotedAt: string,
  previousVersion: string | null,
): Record<string, string> {
  const tags: Record<string, string> = {
    [VERSION_TAGS.gateResult]: verdict.pass ? 'pass' : 'fail',
    [VERSION_TAGS.gateOutcome]: verdict.outcome,
    [VERSION_TAGS.gateTestImages]: String(verdict.testImages),
    [VERSION_TAGS.promotedAt]: promotedAt,
  }
  const put = (key: string, value: string | number | null | undefined) => {
    if (value !== null && value !== undefined && value !== '') tags[key] = String(value)
  }
  put(VERSION_TAGS.gateCandidateDice, verdict.candidate.dice)
  put(VERSION_TAGS.gateCandidateIou, verdict.candidate.iou)
  put(VERSION_TAGS.gateBaselineVersion, verdict.production?.version)
  put(VERSION_TAGS.gateBaselineDice, verdict.production?.dice)
  put(VERSION_TAGS.gateBaselineIou, verdict.production?.iou)
  if (verdict.deltas !== null) {
    put(VERSION_TAGS.gateDiceDelta, formatDelta(verdict.deltas.dice).replace('−', '-'))
    put(VERSION_TAGS.gateIouDelta, formatDelta(verdict.deltas.iou).replace('−', '-'))
  }
  put(VERSION_TAGS.dataVersion, run.tags[RUN_TAGS.dataVersion])
  put(VERSION_TAGS.dataGitSha, run.tags[RUN_TAGS.gitSha])
  put(VERSION_TAGS.sourceBranch, source.branch ?? run.tags[RUN_TAGS.gitBranch])
  put(VERSION_TAGS.prNumber, source.pr)
  put(VERSION_TAGS.githubRun, source.githubRun ?? run.tags[RUN_TAGS.githubRun])
  put(VERSION_TAGS.replacedVersion, previousVersion)
  put(VERSION_TAGS.gateDecidedAt, verdict.decidedAt)
  return tags
}

function metadataFor(
  modelName: string,
  version: ModelVersion,
  run: Run,
  verdict: GateVerdict,
  source: PromotionSource,
  promotedAt: string,
  previousVersion: string | null,
): ModelMetadataInput {
  const count = Number(run.tags[RUN_TAGS.pairsTotal])
  return {
    model_version: version.version,
    run_id: run.info.runId,
    metrics: { dice: verdict.candidate.dice, iou: verdict.candidate.iou },
    baseline: verdict.production === null ? null : { dice: verdict.production.dice, iou: verdict.production.iou },
    trained_at: new Date(run.info.endTime ?? run.info.startTime).toISOString(),
    training_data_count: Number.isFinite(count) && run.tags[RUN_TAGS.pairsTotal] !== undefined ? count : null,
    github_run: source.githubRun ?? run.tags[RUN_TAGS.githubRun] ?? null,
    registered_model: modelName,
    model_uri: `models:/${modelName}/${version.version}`,
    source: version.source,
    promoted_at: promotedAt,
    previous_version: previousVersion,
    ...optional('data_version', run.tags[RUN_TAGS.dataVersion]),
    ...optional('git_sha', run.tags[RUN_TAGS.gitSha]),
    gate: { outcome: verdict.outcome, headline: verdict.headline },
  }
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined || value === '' ? {} : ({ [key]: value } as Record<K, string>)
}
