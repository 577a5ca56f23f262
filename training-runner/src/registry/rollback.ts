import type { WorkspaceConfig } from '@wms/shared/config/workspace-config'
import { WmsError } from '@wms/shared/errors'
import type { ModelMetadataInput } from '@wms/shared/formats/model-metadata'
import { PRODUCTION_ALIAS, RUN_TAGS, VERSION_TAGS } from '@wms/shared/tracking/tags'
import type { ModelVersion, Run } from '@wms/shared/tracking/types'
import { finalTestMetric } from '@wms/shared/tracking/metrics'
import { nullSink, type EventSink } from '../events/event-sink.js'
import type { TrackingStore } from '../tracking/tracking-store.js'
import { currentProductionVersion, pointProductionAt } from './production-pointer.js'
import { withPromotionLock, type PromotionLockOptions } from './promotion-lock.js'
import { appendProductionHistory, readModelMetadataFile, writeModelMetadataFile } from './workspace-files.js'

/**
 * Rollback: move alias `production` back to an earlier version, on a person's decision (no gate), and record it —
 * version tags `rolled_back_at` / `rollback.reason` / `replaced_version`, `model-metadata.json`, and a `rollback`
 * line in the history. Idempotent: rerunning it after a crash completes the files without a second history line.
 */

/** Options of {@link rollback}. */
export interface RollbackOptions {
  store: TrackingStore
  workspaceRoot: string
  config: WorkspaceConfig
  /** The registry version to make production again. */
  version: string
  reason?: string
  alsoSetStage?: boolean
  /** Waiting for another promotion (tests shorten it). */
  lock?: Pick<PromotionLockOptions, 'waitMs' | 'staleAfterMs'>
  now?: () => Date
  events?: EventSink
}

/** What {@link rollback} did. */
export interface RollbackResult {
  modelName: string
  version: string
  previousVersion: string | null
  alreadyProduction: boolean
  rolledBackAt: string
  historyAppended: boolean
}

/** Rolls production back to `version` (see the module comment). */
export async function rollback(options: RollbackOptions): Promise<RollbackResult> {
  const events = options.events ?? nullSink
  const started = Date.now()
  const { store, version } = options
  const modelName = options.config.tracking.registeredModel
  events.emit({ type: 'step-start', step: 'rollback', title: `Rolling production back to ${modelName} v${version}` })
  let target: ModelVersion
  try {
    target = await store.getModelVersion(modelName, version)
  } catch (thrown) {
    if (thrown instanceof WmsError && thrown.code === 'tracking/not-found') {
      throw new WmsError('tracking/not-found', `${modelName} has no version ${version}.`, {
        hint: 'List the versions that were production with `training-runner history`.',
      })
    }
    throw thrown
  }
  return withPromotionLock(store, modelName, { purpose: `rollback to v${version}`, events, ...options.lock }, () =>
    rollbackLocked(options, target, modelName, started),
  )
}

// Production is read inside the promotion lock, so a rollback and a promotion never interleave.
async function rollbackLocked(
  options: RollbackOptions,
  target: ModelVersion,
  modelName: string,
  started: number,
): Promise<RollbackResult> {
  const events = options.events ?? nullSink
  const { store, version } = options
  const current = await currentProductionVersion(store, modelName)
  const alreadyProduction = current?.version === version
  const metadataFile = await readModelMetadataFile(options.workspaceRoot)
  const filesDone = metadataFile.kind === 'ok' && metadataFile.metadata.model_version === version
  if (alreadyProduction && filesDone) {
    events.emit({
      type: 'step-end',
      step: 'rollback',
      status: 'skipped',
      seconds: 0,
      summary: `v${version} is already production`,
    })
    return {
      modelName,
      version,
      previousVersion: target.tags[VERSION_TAGS.replacedVersion] ?? null,
      alreadyProduction,
      rolledBackAt: target.tags[VERSION_TAGS.rolledBackAt] ?? '',
      historyAppended: false,
    }
  }
  const now = options.now ?? (() => new Date())
  // After a crash between moving the alias and writing the files, the tags already say when and from what.
  const rolledBackAt = alreadyProduction
    ? (target.tags[VERSION_TAGS.rolledBackAt] ?? now().toISOString())
    : now().toISOString()
  const previousVersion = alreadyProduction
    ? (target.tags[VERSION_TAGS.replacedVersion] ?? null)
    : (current?.version ?? null)
  const tags: Record<string, string> = { [VERSION_TAGS.rolledBackAt]: rolledBackAt }
  if (previousVersion !== null) tags[VERSION_TAGS.replacedVersion] = previousVersion
  if (options.reason !== undefined && options.reason !== '')
    tags[VERSION_TAGS.rollbackReason] = options.reason.slice(0, 4000)
  for (const [key, value] of Object.entries(tags)) await store.setModelVersionTag(modelName, version, key, value)
  const move = await pointProductionAt(store, modelName, version, options.alsoSetStage === true)

  const run = target.runId === undefined ? undefined : await store.getRun(target.runId).catch(() => undefined)
  const scores = versionScores(target, run)
  const metadata: ModelMetadataInput = {
    model_version: version,
    run_id: target.runId ?? null,
    metrics: scores,
    baseline: null,
    trained_at: run === undefined ? null : new Date(run.info.endTime ?? run.info.startTime).toISOString(),
    training_data_count: run?.tags[RUN_TAGS.pairsTotal] === undefined ? null : Number(run.tags[RUN_TAGS.pairsTotal]),
    github_run: run?.tags[RUN_TAGS.githubRun] ?? null,
    registered_model: modelName,
    model_uri: `models:/${modelName}/${version}`,
    source: target.source,
    promoted_at: rolledBackAt,
    previous_version: previousVersion,
    ...(run?.tags[RUN_TAGS.dataVersion] === undefined ? {} : { data_version: run.tags[RUN_TAGS.dataVersion] }),
    ...(run?.tags[RUN_TAGS.gitSha] === undefined ? {} : { git_sha: run.tags[RUN_TAGS.gitSha] }),
    note: `Rolled back${options.reason === undefined ? '' : `: ${options.reason}`}`,
  }
  await writeModelMetadataFile(options.workspaceRoot, metadata)
  const historyAppended = await appendProductionHistory(options.workspaceRoot, {
    event: 'rollback',
    version: Number(version),
    run_id: target.runId ?? null,
    ...(move.stageMoved ? { stage: 'Production' } : {}),
    ...(move.pointer === 'alias' ? { alias: PRODUCTION_ALIAS } : {}),
    timestamp: rolledBackAt,
    previous_version: previousVersion === null ? null : Number(previousVersion),
    metrics: scores,
    ...(options.reason === undefined ? {} : { reason: options.reason }),
  })
  events.emit({
    type: 'step-end',
    step: 'rollback',
    status: 'ok',
    seconds: (Date.now() - started) / 1000,
    summary: `${modelName} v${version} is production again${previousVersion === null ? '' : ` (was v${previousVersion})`}`,
  })
  return { modelName, version, previousVersion, alreadyProduction, rolledBackAt, historyAppended }
}

/** The scores a version had: what the gate measured when it was promoted, else its run's final test metrics. */
export function versionScores(
  version: ModelVersion,
  run: Run | undefined,
): { dice: number | null; iou: number | null } {
  const fromTag = (key: string) => {
    const value = Number(version.tags[key])
    return version.tags[key] === undefined || !Number.isFinite(value) ? undefined : value
  }
  const fromRun = (key: string) => {
    const value = run?.metrics[key]?.value
    return value === undefined || !Number.isFinite(value) ? null : value
  }
  return {
    dice: fromTag(VERSION_TAGS.gateCandidateDice) ?? fromRun(finalTestMetric('dice')),
    iou: fromTag(VERSION_TAGS.gateCandidateIou) ?? fromRun(finalTestMetric('iou')),
  }
}
