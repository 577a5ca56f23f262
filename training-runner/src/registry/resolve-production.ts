import { WmsError } from '@wms/shared/errors'
import { isPlaceholderMetadata, MODEL_METADATA_FILE } from '@wms/shared/formats/model-metadata'
import type { ProductionRef } from '@wms/shared/gate/verdict'
import { PRODUCTION_ALIAS } from '@wms/shared/tracking/tags'
import type { ModelVersion } from '@wms/shared/tracking/types'
import type { TrackingStore } from '../tracking/tracking-store.js'
import { readModelMetadataFile } from './workspace-files.js'

/**
 * Which model is production: alias `production`, else (legacy) the newest version in stage `Production`, else the
 * workspace's `model-metadata.json`. Any failure to find out is `unavailable` — never "no production" — so the gate
 * fails closed instead of waving a candidate through (the old gate's baseline-0-on-error bug).
 */
export type ProductionResolution =
  /** Nothing anywhere names a production model. */
  | { kind: 'none'; reason: string }
  | { kind: 'found'; ref: ProductionRef & { source: string }; modelVersion?: ModelVersion; notes: string[] }
  | { kind: 'unavailable'; reason: string; ref?: ProductionRef }

/** Options of {@link resolveProduction}. */
export interface ResolveProductionOptions {
  modelName: string
  workspaceRoot: string
}

/** Resolves the production model (see {@link ProductionResolution}). */
export async function resolveProduction(
  store: TrackingStore,
  options: ResolveProductionOptions,
): Promise<ProductionResolution> {
  const { modelName } = options
  const notes: string[] = []
  let modelExists = true

  try {
    const byAlias = await store.getModelVersionByAlias(modelName, PRODUCTION_ALIAS)
    if (byAlias !== undefined) return found('alias', byAlias, notes)
    notes.push(`Registered model ${modelName} has no '${PRODUCTION_ALIAS}' alias.`)
  } catch (thrown) {
    if (isCode(thrown, 'tracking/not-found')) {
      modelExists = false
      notes.push(`${store.display} has no registered model ${modelName}.`)
    } else if (isCode(thrown, 'tracking/unsupported')) {
      notes.push(`${store.display} does not support aliases; trying the legacy Production stage.`)
    } else {
      return { kind: 'unavailable', reason: `Cannot read the production alias of ${modelName}: ${message(thrown)}` }
    }
  }

  if (modelExists) {
    try {
      const inStage = await store.getLatestVersions(modelName, ['Production'])
      const newest = inStage.sort((a, b) => Number(b.version) - Number(a.version))[0]
      if (newest !== undefined) return found('stage', newest, notes)
      notes.push(`No version of ${modelName} is in the legacy Production stage.`)
    } catch (thrown) {
      if (!isCode(thrown, 'tracking/not-found')) {
        return { kind: 'unavailable', reason: `Cannot read the Production stage of ${modelName}: ${message(thrown)}` }
      }
      notes.push(`${store.display} has no registered model ${modelName}.`)
    }
  }

  const file = await readModelMetadataFile(options.workspaceRoot)
  if (file.kind === 'invalid') {
    return {
      kind: 'unavailable',
      reason: `${MODEL_METADATA_FILE} names the production model but cannot be read: ${file.reason}`,
    }
  }
  if (file.kind === 'ok' && !isPlaceholderMetadata(file.metadata)) {
    const runId = file.metadata.run_id ?? ''
    const ref: ProductionRef & { source: string } = {
      via: 'metadata',
      runId,
      source: file.metadata.source ?? `runs:/${runId}/model`,
    }
    if (/^\d+$/.test(file.metadata.model_version)) ref.version = file.metadata.model_version
    notes.push(`Production taken from ${MODEL_METADATA_FILE} (run ${runId}).`)
    return { kind: 'found', ref, notes }
  }
  notes.push(
    file.kind === 'missing' ? `There is no ${MODEL_METADATA_FILE}.` : `${MODEL_METADATA_FILE} names no model yet.`,
  )
  return { kind: 'none', reason: `No production model yet: ${notes.join(' ')}` }
}

function found(
  via: 'alias' | 'stage',
  version: ModelVersion,
  notes: string[],
): Extract<ProductionResolution, { kind: 'found' }> {
  const ref: ProductionRef & { source: string } = { via, version: version.version, source: version.source }
  if (version.runId !== undefined) ref.runId = version.runId
  return { kind: 'found', ref, modelVersion: version, notes }
}

function isCode(thrown: unknown, code: string): boolean {
  return thrown instanceof WmsError && thrown.code === code
}

function message(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : String(thrown)
}
