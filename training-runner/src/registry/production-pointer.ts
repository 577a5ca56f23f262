import { WmsError } from '@wms/shared/errors'
import { PRODUCTION_ALIAS, VERSION_TAGS } from '@wms/shared/tracking/tags'
import type { ModelVersion } from '@wms/shared/tracking/types'
import type { TrackingStore } from '../tracking/tracking-store.js'

/**
 * The production pointer in the registry: alias `production`; the deprecated `Production` stage where the server
 * has no aliases, and kept in step with the alias once a model uses stages (or on request).
 */

/** The version production points at: the alias, else (legacy registries) the newest version in stage Production. */
export async function currentProductionVersion(
  store: TrackingStore,
  modelName: string,
): Promise<ModelVersion | undefined> {
  try {
    const byAlias = await store.getModelVersionByAlias(modelName, PRODUCTION_ALIAS)
    if (byAlias !== undefined) return byAlias
  } catch (thrown) {
    if (isCode(thrown, 'tracking/not-found')) return undefined
    if (!isCode(thrown, 'tracking/unsupported')) throw thrown
  }
  const inStage = await store.getLatestVersions(modelName, ['Production'])
  return inStage.sort((a, b) => Number(b.version) - Number(a.version))[0]
}

/** How production was pointed at a version. */
export interface PointerMove {
  /** `alias` normally; `stage` on a registry without aliases. */
  pointer: 'alias' | 'stage'
  /** True when the deprecated `Production` stage was moved too (so old consumers read the same version). */
  stageMoved: boolean
}

/**
 * Points production at `version`: alias `production`, and the deprecated `Production` stage as well once the model
 * uses stages (some version is in stage Production, e.g. after `--also-stage`) or when asked — so the alias and
 * `get-latest-versions` never disagree. Idempotent: repeating it after a crash finishes the job.
 */
export async function pointProductionAt(
  store: TrackingStore,
  modelName: string,
  version: string,
  alsoSetStage: boolean,
): Promise<PointerMove> {
  try {
    await store.setRegisteredModelAlias(modelName, PRODUCTION_ALIAS, version)
  } catch (thrown) {
    if (!isCode(thrown, 'tracking/unsupported')) throw thrown
    await store.transitionModelVersionStage(modelName, version, 'Production', true)
    return { pointer: 'stage', stageMoved: true }
  }
  const usesStages = alsoSetStage || (await store.getLatestVersions(modelName, ['Production'])).length > 0
  // archive_existing_versions moves every other Production version to Archived, drift from older tools included.
  if (usesStages) await store.transitionModelVersionStage(modelName, version, 'Production', true)
  return { pointer: 'alias', stageMoved: usesStages }
}

/**
 * When a version last became production through WMS Studio: the later of its `promoted_at` and `rolled_back_at`
 * tags (null when it has neither). Production that moved away and came back has a new value.
 */
export function productionSince(version: ModelVersion): string | null {
  const times = [version.tags[VERSION_TAGS.promotedAt], version.tags[VERSION_TAGS.rolledBackAt]].filter(
    (time): time is string => time !== undefined && time !== '',
  )
  return times.sort().at(-1) ?? null
}

/** Creates the registered model unless it exists (a concurrent creator is fine). */
export async function ensureRegisteredModel(store: TrackingStore, modelName: string): Promise<void> {
  if ((await store.getRegisteredModel(modelName)) !== undefined) return
  try {
    await store.createRegisteredModel(modelName, {
      description: 'Water-meter counter segmentation (U-Net), promoted by WMS Studio when it beats production.',
    })
  } catch (thrown) {
    if (!isCode(thrown, 'tracking/already-exists')) throw thrown
  }
}

function isCode(thrown: unknown, code: string): boolean {
  return thrown instanceof WmsError && thrown.code === code
}
