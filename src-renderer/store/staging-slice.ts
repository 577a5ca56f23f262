import type { AppError } from '@wms/shared/errors'
import type { EventPayloadOf } from '@wms/shared/ipc/contract'
import type {
  PairStatus,
  StagedPair,
  StagedProblem,
  StagingSummary,
  SubmissionState,
  SubmitPreview,
} from '@wms/shared/staging/staging-types'
import type { StateCreator } from 'zustand'
import { FILE_TOO_LARGE_HINT, fileTooLargeMessage } from '@wms/shared/ipc/upload-limit'
import { orderForUpload, readInBatches, readWithin, type PickedFile } from '../ipc/read-files.js'
import type { AppState } from './app-store.js'

/** Which pairs the grid shows. */
export interface PairFilter {
  status: PairStatus | 'all' | 'attention'
  ruleId: string | null
}

/** Files being sent to the staging area. */
export interface UploadProgress {
  files: number
  done: number
  /** Bytes sent so far (the total is not measured up front: see readInBatches). */
  doneBytes: number
}

/** The Add data area's state. */
export interface StagingSlice {
  staging: {
    loaded: boolean
    /** Pairs by id; a changed pair is a new object, unchanged ones keep their identity (cheap re-renders). */
    pairs: ReadonlyMap<string, StagedPair>
    problems: StagedProblem[]
    summary: StagingSummary | null
    submission: SubmissionState | null
    upload: UploadProgress | null
    /** Files that could not be placed, from the last additions. */
    rejected: { path: string; reason: string }[]
    filter: PairFilter
    selectedId: string | null
    detailOpen: boolean
    preview: SubmitPreview | null
    error: AppError | null
  }
  loadStaging: () => Promise<void>
  applyStagingUpdate: (update: EventPayloadOf<'staging:updated'>) => void
  addPickedFiles: (files: PickedFile[]) => Promise<void>
  addDemoSamples: () => Promise<void>
  removePairs: (ids: string[]) => Promise<void>
  /** Checks the staged pairs again after a QA run failed. */
  retryQa: () => Promise<void>
  applyFixes: (ids: string[]) => Promise<void>
  replaceFile: (id: string, role: 'image' | 'mask', file: File) => Promise<void>
  setReplacement: (id: string, replacement: boolean) => Promise<void>
  setFilter: (filter: Partial<PairFilter>) => void
  selectPair: (id: string | null, open?: boolean) => void
  openSubmitReview: () => Promise<void>
  closeSubmitReview: () => void
  submit: (message: string) => Promise<void>
  retrySubmit: () => Promise<void>
  dismissSubmission: () => Promise<void>
  dismissError: () => void
  dismissRejected: () => void
}

/** True when a pair matches the filter. */
export function matchesFilter(pair: StagedPair, filter: PairFilter): boolean {
  if (filter.status === 'attention' && pair.status !== 'error' && pair.status !== 'warning') return false
  if (filter.status !== 'all' && filter.status !== 'attention' && pair.status !== filter.status) return false
  if (filter.ruleId !== null && !pair.issues.some((issue) => issue.ruleId === filter.ruleId)) return false
  return true
}

export const createStagingSlice: StateCreator<AppState, [], [], StagingSlice> = (set, get) => {
  const patch = (change: Partial<StagingSlice['staging']>): void =>
    set((state) => ({ staging: { ...state.staging, ...change } }))
  const fail = (error: AppError): void => patch({ error })

  return {
    staging: {
      loaded: false,
      pairs: new Map(),
      problems: [],
      summary: null,
      submission: null,
      upload: null,
      rejected: [],
      filter: { status: 'all', ruleId: null },
      selectedId: null,
      detailOpen: false,
      preview: null,
      error: null,
    },

    loadStaging: async () => {
      const result = await get().api.staging.getState({})
      if (!result.ok) {
        fail(result.error)
        return
      }
      const { pairs, problems, summary, submission } = result.value
      patch({ loaded: true, pairs: new Map(pairs.map((pair) => [pair.id, pair])), problems, summary, submission })
    },

    applyStagingUpdate: (update) => {
      const pairs = new Map(get().staging.pairs)
      for (const id of update.removed) pairs.delete(id)
      for (const pair of update.pairs) pairs.set(pair.id, pair)
      const selectedId = get().staging.selectedId
      patch({
        pairs,
        problems: update.problems,
        summary: update.summary,
        submission: update.submission,
        ...(selectedId !== null && !pairs.has(selectedId) ? { selectedId: null, detailOpen: false } : {}),
      })
    },

    addPickedFiles: async (picked) => {
      const ordered = orderForUpload(picked)
      const progress: UploadProgress = { files: ordered.length, done: 0, doneBytes: 0 }
      patch({ upload: progress, rejected: [] })
      const rejected: { path: string; reason: string }[] = []
      // Two batches in flight, so the host stores one while the next travels; both draw from one lazy batcher.
      const batches = readInBatches(ordered)
      const worker = async (): Promise<void> => {
        for (;;) {
          const next = await batches.next()
          if (next.done === true) return
          const { files, contents, oversized } = next.value
          rejected.push(...oversized.map(({ path, size }) => ({ path, reason: fileTooLargeMessage(path, size) })))
          progress.done += oversized.length
          if (files.length === 0) {
            patch({ upload: { ...progress }, rejected: [...rejected] })
            continue
          }
          const result = await get().api.upload(
            'staging:add-files',
            { files: files.map((item, index) => ({ path: item.path, size: contents[index]?.byteLength ?? 0 })) },
            contents,
          )
          if (!result.ok) {
            fail(result.error)
            await batches.return(undefined)
            return
          }
          rejected.push(...result.value.rejected)
          progress.done += files.length
          progress.doneBytes += contents.reduce((sum, content) => sum + content.byteLength, 0)
          patch({ upload: { ...progress }, rejected: [...rejected] })
        }
      }
      await Promise.all([worker(), worker()])
      patch({ upload: null })
    },

    addDemoSamples: async () => {
      const result = await get().api.staging.addDemoSamples({})
      if (!result.ok) fail(result.error)
    },

    removePairs: async (ids) => {
      const result = await get().api.staging.removePairs({ ids })
      if (!result.ok) fail(result.error)
    },

    retryQa: async () => {
      const result = await get().api.staging.retryQa({})
      if (!result.ok) fail(result.error)
    },

    applyFixes: async (ids) => {
      const result = await get().api.staging.applyFixes({ ids })
      if (!result.ok) fail(result.error)
    },

    replaceFile: async (id, role, file) => {
      // The same upload path and per-file limit as adding files, on both hosts.
      const content = await readWithin(file)
      if (content === undefined) {
        fail({ code: 'ipc/too-large', message: fileTooLargeMessage(file.name, file.size), hint: FILE_TOO_LARGE_HINT })
        return
      }
      const result = await get().api.upload(
        'staging:replace-file',
        { id, role, files: [{ path: file.name, size: content.byteLength }] },
        [content],
      )
      if (!result.ok) fail(result.error)
    },

    setReplacement: async (id, replacement) => {
      const result = await get().api.staging.setReplacement({ id, replacement })
      if (!result.ok) fail(result.error)
    },

    setFilter: (filter) => patch({ filter: { ...get().staging.filter, ...filter } }),

    selectPair: (id, open) => patch({ selectedId: id, detailOpen: open ?? (id !== null && get().staging.detailOpen) }),

    openSubmitReview: async () => {
      const result = await get().api.submit.preview({})
      if (result.ok) patch({ preview: result.value })
      else fail(result.error)
    },

    closeSubmitReview: () => patch({ preview: null }),

    submit: async (message) => {
      const result = await get().api.submit.start({ message })
      if (!result.ok) {
        fail(result.error)
        return
      }
      patch({ submission: result.value, preview: null })
    },

    retrySubmit: async () => {
      const result = await get().api.submit.retry({})
      if (result.ok) patch({ submission: result.value })
      else fail(result.error)
    },

    dismissSubmission: async () => {
      const result = await get().api.submit.dismiss({})
      if (result.ok) patch({ submission: null })
      else fail(result.error)
    },

    dismissError: () => patch({ error: null }),
    dismissRejected: () => patch({ rejected: [] }),
  }
}
