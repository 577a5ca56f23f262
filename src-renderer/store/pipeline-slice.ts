import type { EventPayloadOf, ResponseOf } from '@wms/shared/ipc/contract'
import { applyTimelineEvent } from '@wms/shared/pipeline/timeline-events'
import type { PipelineStatusUpdate, PipelineTimeline, StatusFreshness } from '@wms/shared/pipeline/timeline'
import type { StateCreator } from 'zustand'
import type { AppState } from './app-store.js'
import { fromResult, idle, type Loadable } from './loadable.js'
import { reuseEqualItems, sameData } from './reuse-equal.js'

/** A data branch as the pipeline view lists it. */
export type DataBranch = ResponseOf<'pipeline:list-data-branches'>[number]

/** Every branch's timeline, newest first, and how fresh they are. */
export interface PipelineStatusView {
  timelines: PipelineTimeline[]
  freshness: StatusFreshness
}

/** A verdict that arrived while the app was open: shown in the page and as a system notification. */
export interface VerdictNotice {
  id: string
  branch: string
  pass: boolean
  headline: string
}

/** What the Pipeline area shows. */
export interface PipelineSlice {
  dataBranches: Loadable<DataBranch[]>
  loadDataBranches: () => Promise<void>
  pipelineStatus: Loadable<PipelineStatusView>
  loadPipelineStatus: () => Promise<void>
  /** Looks at the status source now (the "Check now" button). */
  refreshPipelineStatus: () => Promise<void>
  applyPipelineStatus: (update: PipelineStatusUpdate) => void
  applyPipelineEvent: (event: EventPayloadOf<'pipeline:event'>) => void
  /** The branch whose timeline is open (null: the newest). */
  selectedBranch: string | null
  selectBranch: (branch: string) => void
  verdictNotices: VerdictNotice[]
  dismissVerdictNotice: (id: string) => void
}

const newestFirst = (a: PipelineTimeline, b: PipelineTimeline): number =>
  (b.pushedAt ?? b.updatedAt) - (a.pushedAt ?? a.updatedAt)

/** The notice for a timeline that now has a gate verdict and had none before (once per branch commit). */
function arrivedVerdict(before: PipelineTimeline | undefined, after: PipelineTimeline): VerdictNotice | undefined {
  if (after.gate === null || before === undefined || before.gate !== null) return undefined
  return {
    id: `${after.branch}@${after.commit}`,
    branch: after.branch,
    pass: after.gate.pass,
    headline: after.gate.headline,
  }
}

export const createPipelineSlice: StateCreator<AppState, [], [], PipelineSlice> = (set, get) => {
  /** Adds notices not shown yet. */
  const notify = (notices: VerdictNotice[]): void => {
    const shown = new Set(get().verdictNotices.map((notice) => notice.id))
    const fresh = notices.filter((notice) => !shown.has(notice.id))
    if (fresh.length > 0) set({ verdictNotices: [...get().verdictNotices, ...fresh] })
  }
  /** Sets the view, keeping the timelines (and the freshness) already on screen where nothing changed in them. */
  const setStatus = (view: PipelineStatusView): void => {
    const current = get().pipelineStatus
    if (current.status !== 'ready') {
      set({ pipelineStatus: { status: 'ready', value: view } })
      return
    }
    const timelines = reuseEqualItems(current.value.timelines, view.timelines, (timeline) => timeline.branch)
    const freshness = sameData(current.value.freshness, view.freshness) ? current.value.freshness : view.freshness
    const unchanged =
      freshness === current.value.freshness &&
      timelines.length === current.value.timelines.length &&
      timelines.every((timeline, index) => timeline === current.value.timelines[index])
    if (!unchanged) set({ pipelineStatus: { status: 'ready', value: { timelines, freshness } } })
  }

  return {
    dataBranches: idle,
    loadDataBranches: async () => {
      if (get().dataBranches.status === 'idle') set({ dataBranches: { status: 'loading' } })
      set({ dataBranches: fromResult(await get().api.pipeline.listDataBranches({})) })
    },
    pipelineStatus: idle,
    loadPipelineStatus: async () => {
      if (get().pipelineStatus.status === 'idle') set({ pipelineStatus: { status: 'loading' } })
      const loaded = fromResult(await get().api.pipeline.getStatus({}))
      if (loaded.status === 'ready') setStatus(loaded.value)
      else set({ pipelineStatus: loaded })
    },
    refreshPipelineStatus: async () => {
      const result = await get().api.pipeline.refreshStatus({})
      if (result.ok)
        get().applyPipelineStatus({ changed: result.value.timelines, removed: [], freshness: result.value.freshness })
      else set({ pipelineStatus: { status: 'error', error: result.error } })
    },
    applyPipelineStatus: (update) => {
      const current = get().pipelineStatus
      // Before the first load the update is not a baseline to compare with: the load brings everything.
      if (current.status !== 'ready') return
      const byBranch = new Map(current.value.timelines.map((timeline) => [timeline.branch, timeline]))
      const notices: VerdictNotice[] = []
      for (const timeline of update.changed) {
        const notice = arrivedVerdict(byBranch.get(timeline.branch), timeline)
        if (notice !== undefined) notices.push(notice)
        byBranch.set(timeline.branch, timeline)
      }
      for (const branch of update.removed) byBranch.delete(branch)
      setStatus({ timelines: [...byBranch.values()].sort(newestFirst), freshness: update.freshness })
      notify(notices)
    },
    applyPipelineEvent: (event) => {
      const current = get().pipelineStatus
      const branch = event.branch
      if (branch === undefined || current.status !== 'ready') return
      const index = current.value.timelines.findIndex((timeline) => timeline.branch === branch)
      const before = current.value.timelines[index]
      // A branch the source has not listed yet appears at its next look.
      if (before === undefined) return
      const after = applyTimelineEvent(before, event)
      if (after === before) return
      const timelines = [...current.value.timelines]
      timelines[index] = after
      setStatus({ ...current.value, timelines })
      const notice = arrivedVerdict(before, after)
      if (notice !== undefined) notify([notice])
    },
    selectedBranch: null,
    selectBranch: (branch) => set({ selectedBranch: branch }),
    verdictNotices: [],
    dismissVerdictNotice: (id) => set({ verdictNotices: get().verdictNotices.filter((notice) => notice.id !== id) }),
  }
}
