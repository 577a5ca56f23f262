import type { AppError } from '@wms/shared/errors'
import type { ModelRegistryOverview, TryItResult } from '@wms/shared/models/model-registry'
import type { StateCreator } from 'zustand'
import type { AppState } from './app-store.js'
import { fromResult, idle, type Loadable } from './loadable.js'
import { reuseEqualItems, sameData } from './reuse-equal.js'

/** A "try it" in flight or done, for one version and one staged pair. */
export type TryIt =
  | { status: 'idle' }
  | { status: 'running'; version: string; pairId: string }
  | { status: 'done'; result: TryItResult }
  | { status: 'error'; version: string; pairId: string; error: AppError }

/** The Models area's state: the registry overview, the two versions compared, and the last try. */
export interface ModelsSlice {
  models: Loadable<ModelRegistryOverview>
  /** Versions ticked for comparison, oldest tick first; at most two. */
  comparedVersions: string[]
  tryIt: TryIt
  /** The last rollback's failure (a success shows in the history instead). */
  rollbackError: AppError | null
  loadModels: () => Promise<void>
  /**
   * Reads the registry ahead of the first open, when nothing is loaded yet; a failure is left for the area's own
   * load to show (a prefetch never puts an error on screen).
   */
  prefetchModels: () => Promise<void>
  toggleCompared: (version: string) => void
  /** Rolls production back to `version`; resolves true when it did. */
  rollbackModel: (version: string, reason: string) => Promise<boolean>
  tryModel: (version: string, pairId: string) => Promise<void>
  /** Reloads the registry when the pipeline promotes (or a run ends); returns the unsubscribe function. */
  watchRegistry: () => () => void
}

const MAX_COMPARED = 2

export const createModelsSlice: StateCreator<AppState, [], [], ModelsSlice> = (set, get) => {
  /** Puts a registry read on screen: an equal one changes nothing, a new one keeps its unchanged versions. */
  const applyOverview = (loaded: Loadable<ModelRegistryOverview>): void => {
    // A failed reload keeps what is on screen (with the error shown by the caller's next load); a first load shows it.
    if (loaded.status === 'error' && get().models.status === 'ready') return
    const before = get().models
    if (loaded.status === 'ready' && before.status === 'ready') {
      // Reopening the area reloads the registry; what did not change keeps its objects (and its drawing).
      if (sameData(before.value, loaded.value)) return
      const versions = reuseEqualItems(before.value.versions, loaded.value.versions, (version) => version.version)
      set({ models: { status: 'ready', value: { ...loaded.value, versions } } })
    } else set({ models: loaded })
    if (loaded.status === 'ready') {
      const known = new Set(loaded.value.versions.map((version) => version.version))
      const kept = get().comparedVersions.filter((version) => known.has(version))
      if (kept.length === 0 && loaded.value.versions.length >= 2) {
        // Compare the newest version with production (or the one before it) to start with.
        const [newest, next] = loaded.value.versions
        const production = loaded.value.productionVersion
        const other = production !== null && production !== newest?.version ? production : next?.version
        set({ comparedVersions: [other, newest?.version].filter((v): v is string => v !== undefined) })
      } else set({ comparedVersions: kept })
    }
  }

  return {
    models: idle,
    comparedVersions: [],
    tryIt: { status: 'idle' },
    rollbackError: null,
    loadModels: async () => {
      if (get().models.status === 'idle') set({ models: { status: 'loading' } })
      applyOverview(fromResult(await get().api.models.getOverview({})))
    },
    prefetchModels: async () => {
      if (get().models.status !== 'idle') return
      const loaded = await get().api.models.getOverview({})
      // The area may have opened (and loaded) meanwhile: its answer stands.
      if (loaded.ok && get().models.status === 'idle') applyOverview(fromResult(loaded))
    },
    toggleCompared: (version) => {
      const current = get().comparedVersions
      if (current.includes(version)) set({ comparedVersions: current.filter((v) => v !== version) })
      else set({ comparedVersions: [...current, version].slice(-MAX_COMPARED) })
    },
    rollbackModel: async (version, reason) => {
      set({ rollbackError: null })
      const trimmed = reason.trim()
      const result = await get().api.models.rollback(trimmed === '' ? { version } : { version, reason: trimmed })
      if (!result.ok) {
        set({ rollbackError: result.error })
        return false
      }
      await get().loadModels()
      return true
    },
    tryModel: async (version, pairId) => {
      set({ tryIt: { status: 'running', version, pairId } })
      const result = await get().api.models.try({ version, pairId })
      const current = get().tryIt
      // A newer try started meanwhile: its answer wins.
      if (current.status !== 'running' || current.version !== version || current.pairId !== pairId) return
      set({
        tryIt: result.ok
          ? { status: 'done', result: result.value }
          : { status: 'error', version, pairId, error: result.error },
      })
    },
    watchRegistry: () =>
      get().api.on('pipeline:event', (event) => {
        const promoted = event.type === 'step-end' && event.step === 'promote' && event.status === 'ok'
        if (promoted || event.type === 'done') void get().loadModels()
      }),
  }
}
