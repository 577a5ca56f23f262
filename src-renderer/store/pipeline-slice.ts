import type { EventPayloadOf, ResponseOf } from '@wms/shared/ipc/contract'
import type { StateCreator } from 'zustand'
import type { AppState } from './app-store.js'
import { fromResult, idle, type Loadable } from './loadable.js'

/** A data branch as the pipeline view lists it. */
export type DataBranch = ResponseOf<'pipeline:list-data-branches'>[number]

/** The local runner's run records and queue. */
export type PipelineRuns = ResponseOf<'pipeline:list-runs'>

/** The latest thing a running pipeline said, per branch (from `pipeline:event`). */
export interface LiveStep {
  step: string
  message: string
}

/** What the Pipeline area shows. */
export interface PipelineSlice {
  dataBranches: Loadable<DataBranch[]>
  loadDataBranches: () => Promise<void>
  pipelineRuns: Loadable<PipelineRuns>
  loadPipelineRuns: () => Promise<void>
  livePipeline: Record<string, LiveStep>
  applyPipelineEvent: (event: EventPayloadOf<'pipeline:event'>) => void
}

export const createPipelineSlice: StateCreator<AppState, [], [], PipelineSlice> = (set, get) => ({
  dataBranches: idle,
  loadDataBranches: async () => {
    if (get().dataBranches.status === 'idle') set({ dataBranches: { status: 'loading' } })
    set({ dataBranches: fromResult(await get().api.pipeline.listDataBranches({})) })
  },
  pipelineRuns: idle,
  loadPipelineRuns: async () => {
    if (get().pipelineRuns.status === 'idle') set({ pipelineRuns: { status: 'loading' } })
    set({ pipelineRuns: fromResult(await get().api.pipeline.listRuns({})) })
  },
  livePipeline: {},
  applyPipelineEvent: (event) => {
    const branch = event.branch
    if (branch === undefined) return
    if (event.type === 'step-start') {
      set({ livePipeline: { ...get().livePipeline, [branch]: { step: event.step, message: event.title } } })
    } else if (event.type === 'progress' && event.message !== undefined) {
      set({ livePipeline: { ...get().livePipeline, [branch]: { step: event.step, message: event.message } } })
    } else if (event.type === 'epoch-end') {
      const live = get().livePipeline[branch]
      const message = `epoch ${String(event.epoch)}/${String(event.epochs)}`
      set({ livePipeline: { ...get().livePipeline, [branch]: { step: live?.step ?? 'train', message } } })
    }
    // Step ends, queueing and verdicts change the records: read them again.
    if (event.type === 'step-end' || event.type === 'done' || event.type === 'log' || event.type === 'error') {
      void get().loadPipelineRuns()
    }
  },
})
