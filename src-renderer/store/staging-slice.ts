import type { AppError } from '@wms/shared/errors'
import type { EventPayloadOf } from '@wms/shared/ipc/contract'
import {
  DEFAULT_STAGING_SETTINGS,
  type StagedPair,
  type StagedProblem,
  type StagingSettings,
  type StagingSummary,
  type SubmissionState,
  type SubmitPreview,
} from '@wms/shared/staging/staging-types'
import type { StateCreator } from 'zustand'
import { FILE_TOO_LARGE_HINT, fileTooLargeMessage } from '@wms/shared/ipc/upload-limit'
import { orderForUpload, readInBatches, readWithin, type PickedFile } from '../ipc/read-files.js'
import type { AppState } from './app-store.js'
import type { PairFilter, PairSort } from './pair-order.js'

export { matchesFilter, type PairFilter, type PairSort } from './pair-order.js'

/** A short message after an edit, with Undo when the edit can be undone (Ctrl+Z does the same). */
export interface StagingToast {
  message: string
  undoable: boolean
  /** Bumped per toast, so the same words twice still show (and announce) again. */
  key: number
}

/** What the last addition brought: its pairs (they are followed as QA judges them) and the files refused. */
export interface AddedSummary {
  ids: string[]
  files: number
}

/** A mask chosen to replace a pair's mask, shown over the photo before it replaces anything. */
export interface MaskPreview {
  id: string
  file: File
}

/** What the last fix of a pair did, and what it did not do. */
export interface FixReport {
  id: string
  did: string[]
  skipped?: string
}

/** How the review is opened: everything, or only the ready pairs; photos with GPS allowed or not. */
export interface ReviewOptions {
  onlyReady: boolean
  includeGps: boolean
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
    rejected: { path: string; reason: string; kind?: string }[]
    filter: PairFilter
    sort: PairSort
    selectedId: string | null
    detailOpen: boolean
    preview: SubmitPreview | null
    reviewOptions: ReviewOptions
    /** The commit message as the user edited it; kept when the review closes, until a submission uses it. */
    messageDraft: string | null
    error: AppError | null
    settings: StagingSettings
    /** What the last undoable edit did (from main), or null. */
    undo: string | null
    toast: StagingToast | null
    added: AddedSummary | null
    maskPreview: MaskPreview | null
    fixReport: FixReport | null
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
  setSort: (sort: PairSort) => void
  selectPair: (id: string | null, open?: boolean) => void
  openSubmitReview: (options?: Partial<ReviewOptions>) => Promise<void>
  closeSubmitReview: () => void
  setMessageDraft: (message: string) => void
  submit: (message: string) => Promise<void>
  /** Undoes the last removal, replacement or fix. */
  undo: () => Promise<void>
  dismissToast: () => void
  dismissAdded: () => void
  /** Shows a chosen mask over the photo before it replaces the pair's mask (null closes the preview). */
  previewMask: (preview: MaskPreview | null) => void
  setStagingSettings: (change: Partial<StagingSettings>) => Promise<void>
  retrySubmit: () => Promise<void>
  dismissSubmission: () => Promise<void>
  dismissError: () => void
  dismissRejected: () => void
}

const plural = (count: number, one: string): string => `${String(count)} ${one}${count === 1 ? '' : 's'}`

export const createStagingSlice: StateCreator<AppState, [], [], StagingSlice> = (set, get) => {
  const patch = (change: Partial<StagingSlice['staging']>): void =>
    set((state) => ({ staging: { ...state.staging, ...change } }))
  const fail = (error: AppError): void => patch({ error })
  let toasts = 0
  const toast = (message: string, undoable = false): void => {
    toasts += 1
    patch({ toast: { message, undoable, key: toasts } })
  }

  return {
    staging: {
      loaded: false,
      pairs: new Map(),
      problems: [],
      summary: null,
      submission: null,
      upload: null,
      rejected: [],
      filter: { status: 'all', ruleId: null, only: null },
      sort: 'attention',
      selectedId: null,
      detailOpen: false,
      preview: null,
      reviewOptions: { onlyReady: false, includeGps: false },
      messageDraft: null,
      error: null,
      settings: DEFAULT_STAGING_SETTINGS,
      undo: null,
      toast: null,
      added: null,
      maskPreview: null,
      fixReport: null,
    },

    loadStaging: async () => {
      const result = await get().api.staging.getState({})
      if (!result.ok) {
        fail(result.error)
        return
      }
      const { pairs, problems, summary, submission, settings, undo } = result.value
      patch({
        loaded: true,
        pairs: new Map(pairs.map((pair) => [pair.id, pair])),
        problems,
        summary,
        submission,
        settings,
        undo,
      })
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
        undo: update.undo,
        ...(selectedId !== null && !pairs.has(selectedId) ? { selectedId: null, detailOpen: false } : {}),
      })
    },

    addPickedFiles: async (picked) => {
      const ordered = orderForUpload(picked)
      const progress: UploadProgress = { files: ordered.length, done: 0, doneBytes: 0 }
      patch({ upload: progress, rejected: [] })
      const rejected: StagingSlice['staging']['rejected'] = []
      const addedIds = new Set<string>()
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
          for (const file of result.value.added) addedIds.add(file.id)
          progress.done += files.length
          progress.doneBytes += contents.reduce((sum, content) => sum + content.byteLength, 0)
          patch({ upload: { ...progress }, rejected: [...rejected] })
        }
      }
      await Promise.all([worker(), worker()])
      // The new pairs lead the grid (newest first among equals) and the summary follows them as QA judges them.
      patch({
        upload: null,
        added: { ids: [...addedIds], files: ordered.length },
        filter: { ...get().staging.filter, only: null },
      })
    },

    addDemoSamples: async () => {
      const before = new Set(get().staging.pairs.keys())
      const result = await get().api.staging.addDemoSamples({})
      if (!result.ok) {
        fail(result.error)
        return
      }
      const state = await get().api.staging.getState({})
      const ids = state.ok ? state.value.pairs.map((pair) => pair.id).filter((id) => !before.has(id)) : []
      patch({ added: { ids, files: result.value.added } })
    },

    removePairs: async (ids) => {
      const result = await get().api.staging.removePairs({ ids })
      if (!result.ok) fail(result.error)
      else if (result.value.removed > 0) {
        const [first] = ids
        toast(
          ids.length === 1 && first !== undefined ? `Removed ${first}.` : `Removed ${plural(ids.length, 'pair')}.`,
          true,
        )
      }
    },

    retryQa: async () => {
      const result = await get().api.staging.retryQa({})
      if (!result.ok) fail(result.error)
    },

    applyFixes: async (ids) => {
      const result = await get().api.staging.applyFixes({ ids })
      if (!result.ok) {
        fail(result.error)
        return
      }
      const { fixed, results } = result.value
      const [only] = results
      if (results.length === 1 && only !== undefined) patch({ fixReport: only })
      const notFixed = results.filter((entry) => entry.skipped !== undefined).length
      const words = [
        fixed > 0 ? `Fixed ${plural(fixed, 'pair')}.` : 'Nothing was changed.',
        notFixed > 0
          ? `${plural(notFixed, 'pair')} not fixed: ${notFixed === 1 ? 'it has' : 'they have'} errors a fix cannot remove.`
          : '',
      ]
      toast(words.filter((word) => word !== '').join(' '), fixed > 0)
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
      else toast(`Replaced the ${role === 'mask' ? 'mask' : 'photo'} of ${id}.`, true)
      patch({ maskPreview: null })
    },

    setReplacement: async (id, replacement) => {
      const result = await get().api.staging.setReplacement({ id, replacement })
      if (!result.ok) fail(result.error)
    },

    setFilter: (filter) => patch({ filter: { ...get().staging.filter, ...filter } }),
    setSort: (sort) => patch({ sort }),

    selectPair: (id, open) =>
      patch({
        selectedId: id,
        detailOpen: open ?? (id !== null && get().staging.detailOpen),
        ...(id !== get().staging.selectedId ? { fixReport: null } : {}),
      }),

    openSubmitReview: async (options) => {
      const reviewOptions = { ...get().staging.reviewOptions, ...options }
      const result = await get().api.submit.preview(reviewOptions)
      if (result.ok) patch({ preview: result.value, reviewOptions })
      else fail(result.error)
    },

    closeSubmitReview: () => patch({ preview: null }),
    setMessageDraft: (message) => patch({ messageDraft: message }),

    submit: async (message) => {
      const { preview, reviewOptions } = get().staging
      const request = {
        message,
        ...reviewOptions,
        ...(preview === null ? {} : { branch: preview.branch }),
      }
      const result = await get().api.submit.start(request)
      if (!result.ok) {
        fail(result.error)
        return
      }
      patch({
        submission: result.value,
        preview: null,
        messageDraft: null,
        reviewOptions: { onlyReady: false, includeGps: false },
      })
    },

    undo: async () => {
      const result = await get().api.staging.undo({})
      if (!result.ok) fail(result.error)
      else toast(result.value.undone === null ? 'Nothing to undo.' : `Undone: ${result.value.undone}.`)
    },
    dismissToast: () => patch({ toast: null }),
    dismissAdded: () => patch({ added: null, filter: { ...get().staging.filter, only: null } }),
    previewMask: (maskPreview) => patch({ maskPreview }),

    setStagingSettings: async (change) => {
      const result = await get().api.staging.setSettings(change)
      if (result.ok) patch({ settings: result.value })
      else fail(result.error)
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
