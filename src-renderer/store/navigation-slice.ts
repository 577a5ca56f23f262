import type { StateCreator } from 'zustand'
import type { AppState } from './app-store.js'

/** The four areas of the app, in sidebar order. */
export const AREAS = ['add-data', 'pipeline', 'models', 'settings'] as const

/** One area of the app. */
export type AreaId = (typeof AREAS)[number]

/** Which area is shown; mirrored in the URL hash so back/forward and reloads keep the place. */
export interface NavigationSlice {
  area: AreaId
  showArea: (area: AreaId) => void
}

/** Parses `#/pipeline` into an area; anything else is the first area. */
export function areaFromHash(hash: string): AreaId {
  const candidate = hash.replace(/^#\/?/, '')
  return (AREAS as readonly string[]).includes(candidate) ? (candidate as AreaId) : 'add-data'
}

export const createNavigationSlice: StateCreator<AppState, [], [], NavigationSlice> = (set) => ({
  area: 'add-data',
  showArea: (area) => set({ area }),
})
