import { access, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { WORKSPACE_CONFIG_FILE } from '@wms/shared/config/workspace-config'
import { WmsError } from '@wms/shared/errors'
import { PRODUCTION_ALIAS } from '@wms/shared/tracking/tags'
import { resolveProduction } from '../registry/resolve-production.js'
import { openWorkspaceTracking } from '../registry/open-workspace-tracking.js'
import { openTrackingStore } from '../tracking/open-tracking-store.js'
import { normaliseEnvTrackingUri } from '../tracking/tracking-env.js'
import type { TrackingStore } from '../tracking/tracking-store.js'

/** What a source says should be served now (no files fetched yet). */
export type SourceAnswer =
  | { kind: 'found'; version: string; source: string }
  /** Nothing to serve (no production model yet), or the registry could not be asked: keep what is served. */
  | { kind: 'none' | 'unavailable'; reason: string }

/** Where the served model comes from: a fixed folder, or whatever the registry's production alias points at. */
export interface ModelSource {
  /** For people and `/`: the folder, or the registry and model name. */
  readonly display: string
  /** True when the answer can change (the registry): the server polls it. */
  readonly changes: boolean
  resolve(): Promise<SourceAnswer>
  /** Makes the model's files available locally; `cleanup` removes what was downloaded (nothing for a folder). */
  fetch(answer: Extract<SourceAnswer, { kind: 'found' }>): Promise<{ dir: string; cleanup: () => Promise<void> }>
}

/** A model folder on disk (`serve --model <folder>`): served as is, labelled `folder:<name>`. */
export function folderSource(dir: string): ModelSource {
  return {
    display: dir,
    changes: false,
    resolve: async () => {
      try {
        await access(dir)
      } catch {
        return { kind: 'unavailable', reason: `${dir} does not exist or cannot be read.` }
      }
      return { kind: 'found', version: `folder:${path.basename(dir)}`, source: dir }
    },
    fetch: () => Promise.resolve({ dir, cleanup: () => Promise.resolve() }),
  }
}

/** Options of {@link registrySource}. */
export interface RegistrySourceOptions {
  /** Workspace whose `wms.config.json` names the registry; without one, `MLFLOW_TRACKING_URI` must. */
  workspaceRoot: string
  env: NodeJS.ProcessEnv
  cwd: string
  /** Alias to follow (default `production`, which also honours the legacy stage and model-metadata.json). */
  alias?: string
  /** Registered model name when there is no workspace config (default `water-meter-segmentation`). */
  modelName?: string
  /** Where downloaded versions go (default the system temp folder). */
  downloadRoot?: string
}

/**
 * The registry's production model (alias `production`, the legacy stage, or the workspace's model-metadata.json —
 * the same resolution the gate uses). The registry comes from the workspace config, or from `MLFLOW_TRACKING_URI`
 * and MLflow's credential variables alone (a container has no workspace). Each new version is downloaded into
 * its own folder, removed when that version is disposed.
 */
export async function registrySource(options: RegistrySourceOptions): Promise<ModelSource> {
  const { store, modelName } = await openRegistry(options)
  const downloadRoot = options.downloadRoot ?? os.tmpdir()
  const alias = options.alias ?? PRODUCTION_ALIAS
  return {
    display: `${modelName}@${alias} in ${store.display}`,
    changes: true,
    resolve: async () => {
      if (alias !== PRODUCTION_ALIAS) return resolveAlias(store, modelName, alias)
      const production = await resolveProduction(store, { modelName, workspaceRoot: options.workspaceRoot })
      if (production.kind !== 'found') return production
      const { ref } = production
      const version = ref.version ?? `run:${ref.runId ?? 'unknown'}`
      return { kind: 'found', version, source: ref.source }
    },
    fetch: async (answer) => {
      const dir = await mkdtemp(path.join(downloadRoot, `wms-serve-v${answer.version.replace(/[^\w.-]/g, '_')}-`))
      const cleanup = () => rm(dir, { recursive: true, force: true })
      try {
        return { dir: await store.downloadArtifactUri(answer.source, dir), cleanup }
      } catch (thrown) {
        await cleanup()
        throw thrown
      }
    },
  }
}

async function resolveAlias(store: TrackingStore, modelName: string, alias: string): Promise<SourceAnswer> {
  const version = await store.getModelVersionByAlias(modelName, alias)
  if (version === undefined) return { kind: 'none', reason: `Registered model ${modelName} has no '${alias}' alias.` }
  return { kind: 'found', version: version.version, source: version.source }
}

async function openRegistry(options: RegistrySourceOptions): Promise<{ store: TrackingStore; modelName: string }> {
  const hasConfig = await access(path.join(options.workspaceRoot, WORKSPACE_CONFIG_FILE)).then(
    () => true,
    () => false,
  )
  if (hasConfig) {
    const { config, store } = await openWorkspaceTracking(options.workspaceRoot, { env: options.env, cwd: options.cwd })
    return { store, modelName: options.modelName ?? config.tracking.registeredModel }
  }
  const uri = options.env.MLFLOW_TRACKING_URI?.trim() ?? ''
  if (uri === '') {
    throw new WmsError(
      'workspace/not-found',
      `No registry to serve from: ${options.workspaceRoot} has no ${WORKSPACE_CONFIG_FILE} and MLFLOW_TRACKING_URI is not set.`,
      { hint: 'Run in a workspace (-w <dir>), set MLFLOW_TRACKING_URI, or serve a folder with --model <folder>.' },
    )
  }
  const store = openTrackingStore(
    { uri: normaliseEnvTrackingUri(uri, options.cwd) },
    { workspaceRoot: options.workspaceRoot, env: options.env },
  )
  return { store, modelName: options.modelName ?? 'water-meter-segmentation' }
}
