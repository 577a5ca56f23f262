import { WmsError } from '@wms/shared/errors'
import { PRODUCTION_ALIAS } from '@wms/shared/tracking/tags'
import type { ModelVersion } from '@wms/shared/tracking/types'
import type { TrackingStore } from '../tracking/tracking-store.js'

/**
 * The production pointer in the registry: alias `production`; the deprecated `Production` stage only where the
 * server has no aliases (or for old consumers, on request).
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

/** Moves production to `version`; returns which pointer was used. */
export async function pointProductionAt(
  store: TrackingStore,
  modelName: string,
  version: string,
  alsoSetStage: boolean,
): Promise<'alias' | 'stage'> {
  try {
    await store.setRegisteredModelAlias(modelName, PRODUCTION_ALIAS, version)
  } catch (thrown) {
    if (!isCode(thrown, 'tracking/unsupported')) throw thrown
    await store.transitionModelVersionStage(modelName, version, 'Production', true)
    return 'stage'
  }
  if (alsoSetStage) await store.transitionModelVersionStage(modelName, version, 'Production', true)
  return 'alias'
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
