import type { ResponseOf } from '@wms/shared/ipc/contract'
import type { StateCreator } from 'zustand'
import type { AppState } from './app-store.js'
import { fromResult, idle, type Loadable } from './loadable.js'

/** A data branch as the pipeline view lists it. */
export type DataBranch = ResponseOf<'pipeline:list-data-branches'>[number]

/** What the Pipeline area shows. */
export interface PipelineSlice {
  dataBranches: Loadable<DataBranch[]>
  loadDataBranches: () => Promise<void>
}

export const createPipelineSlice: StateCreator<AppState, [], [], PipelineSlice> = (set, get) => ({
  dataBranches: idle,
  loadDataBranches: async () => {
    if (get().dataBranches.status === 'idle') set({ dataBranches: { status: 'loading' } })
    set({ dataBranches: fromResult(await get().api.pipeline.listDataBranches({})) })
  },
})
