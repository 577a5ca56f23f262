import { useEffect, useMemo, useRef, useState, type ReactElement } from 'react'
import { formatBytes } from '@wms/shared/util/format'
import { EmptyState } from '../../components/EmptyState.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { filesFromInput } from '../../ipc/read-files.js'
import { useAppStore } from '../../store/app-store.js'
import { canFix } from '@wms/shared/staging/staging-rules'
import { matchesFilter, sortPairs } from '../../store/pair-order.js'
import { AddedSummary } from './AddedSummary.js'
import { MaskPreview } from './MaskPreview.js'
import { UndoToast } from './UndoToast.js'
import { formatMegabytes, MAX_UPLOAD_FILE_BYTES } from '@wms/shared/ipc/upload-limit'
import { DropZone } from './DropZone.js'
import { FilterBar } from './FilterBar.js'
import { PairDetail } from './PairDetail.js'
import { PairGrid } from './PairGrid.js'
import { ProblemsList } from './ProblemsList.js'
import { QaFailureBanner } from './QaFailureBanner.js'
import { SubmissionBanner } from './SubmissionBanner.js'
import { SubmitReview } from './SubmitReview.js'
import { SummaryPanel } from './SummaryPanel.js'
import './add-data.css'

/** Add data: drop or pick pairs, see QA stream in, fix or drop what is wrong, review and submit a data branch. */
export function AddDataArea(): ReactElement {
  const loaded = useAppStore((state) => state.staging.loaded)
  const pairs = useAppStore((state) => state.staging.pairs)
  const filter = useAppStore((state) => state.staging.filter)
  const upload = useAppStore((state) => state.staging.upload)
  const error = useAppStore((state) => state.staging.error)
  const detailOpen = useAppStore((state) => state.staging.detailOpen)
  const previewOpen = useAppStore((state) => state.staging.preview !== null)
  const sort = useAppStore((state) => state.staging.sort)
  const undo = useAppStore((state) => state.undo)
  const isDemo = useAppStore((state) => state.workspace.status === 'ready' && state.workspace.value.isDemo)
  const loadStaging = useAppStore((state) => state.loadStaging)
  const addPickedFiles = useAppStore((state) => state.addPickedFiles)
  const addDemoSamples = useAppStore((state) => state.addDemoSamples)
  const applyFixes = useAppStore((state) => state.applyFixes)
  const openSubmitReview = useAppStore((state) => state.openSubmitReview)
  const dismissError = useAppStore((state) => state.dismissError)
  const [overlay, setOverlay] = useState(true)
  const fileInput = useRef<HTMLInputElement>(null)
  const folderInput = useRef<HTMLInputElement>(null)

  useEffect(() => {
    if (!loaded) void loadStaging()
  }, [loaded, loadStaging])

  // Ctrl+Z (Cmd+Z) undoes the last removal, replacement or fix — except while typing, where it undoes the typing.
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (!(event.ctrlKey || event.metaKey) || event.key.toLowerCase() !== 'z' || event.shiftKey) return
      const target = event.target
      if (target instanceof HTMLElement && target.closest('input, textarea, select, [contenteditable]') !== null) return
      event.preventDefault()
      void undo()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [undo])

  const ids = useMemo(
    () =>
      sortPairs(
        [...pairs.values()].filter((pair) => matchesFilter(pair, filter)),
        sort,
      ).map((pair) => pair.id),
    [pairs, filter, sort],
  )
  // Only pairs a fix would change: a pair with an error a fix cannot remove is not counted (nor silently skipped).
  const fixableIds = useMemo(
    () => [...pairs.values()].filter((pair) => canFix(pair.issues)).map((pair) => pair.id),
    [pairs],
  )
  const chooseFolder = (): void => folderInput.current?.click()

  return (
    <DropZone onFiles={(files) => void addPickedFiles(files)}>
      <div className="add-data">
        <div className="toolbar">
          <button
            type="button"
            className="button"
            title={`Images and masks, up to ${formatMegabytes(MAX_UPLOAD_FILE_BYTES)} per file`}
            onClick={() => fileInput.current?.click()}
          >
            Add files…
          </button>
          <button type="button" className="button" onClick={() => folderInput.current?.click()}>
            Add folder…
          </button>
          <input
            ref={fileInput}
            type="file"
            multiple
            accept=".jpg,.jpeg,.png"
            hidden
            data-testid="file-input"
            aria-label="Add image and mask files"
            onChange={(event) => {
              if (event.target.files !== null) void addPickedFiles(filesFromInput(event.target.files))
              event.target.value = ''
            }}
          />
          <input
            ref={folderInput}
            type="file"
            hidden
            data-testid="folder-input"
            aria-label="Add a folder of images and masks"
            {...{ webkitdirectory: '' }}
            onChange={(event) => {
              if (event.target.files !== null) void addPickedFiles(filesFromInput(event.target.files))
              event.target.value = ''
            }}
          />
          {isDemo ? (
            <button type="button" className="button" onClick={() => void addDemoSamples()}>
              Add the demo&apos;s new pairs
            </button>
          ) : null}
          <span className="toolbar__spacer" />
          {pairs.size > 0 ? (
            <>
              <label className="toolbar__toggle">
                <input type="checkbox" checked={overlay} onChange={(event) => setOverlay(event.target.checked)} /> Mask
                overlay
              </label>
              <button
                type="button"
                className="button"
                disabled={fixableIds.length === 0}
                onClick={() => void applyFixes(fixableIds)}
              >
                Fix all fixable ({fixableIds.length})
              </button>
              <button
                type="button"
                className="button button--primary"
                onClick={() => void openSubmitReview({ onlyReady: false, includeGps: false })}
              >
                Review &amp; submit…
              </button>
            </>
          ) : null}
        </div>
        {upload !== null ? (
          <div className="upload" role="status" aria-live="polite">
            Adding {upload.files} files: {upload.done} done ({formatBytes(upload.doneBytes)} so far)
            <progress max={upload.files} value={upload.done} aria-label="Adding files" />
          </div>
        ) : null}
        {error !== null ? (
          <div className="add-data__error">
            <ErrorPanel error={error} onRetry={dismissError} retryLabel="Dismiss" />
          </div>
        ) : null}
        <SubmissionBanner />
        <QaFailureBanner />
        <AddedSummary />
        <ProblemsList onChooseFolder={chooseFolder} />
        {pairs.size === 0 ? (
          <EmptyState icon="add-data" title="No pairs staged">
            <p>
              Drop photos and their masks here — a folder with <code>images/</code> and <code>masks/</code>, or files
              named <code>x_image.jpg</code> / <code>x_mask.png</code> — or use <strong>Add files</strong>. Each pair
              gets a thumbnail, its mask overlaid and its data-quality status within seconds. Files up to{' '}
              {formatMegabytes(MAX_UPLOAD_FILE_BYTES)} each.
            </p>
            <p className="muted">Nothing leaves this machine until you review and submit it as a data branch.</p>
          </EmptyState>
        ) : (
          <div className="add-data__body">
            <div className="add-data__main">
              <button
                type="button"
                className="skip-link skip-link--inline"
                onClick={() => document.querySelector<HTMLElement>('[data-testid="pair-grid"]')?.focus()}
              >
                Skip to the pairs
              </button>
              <FilterBar />
              {ids.length === 0 ? (
                <p className="muted add-data__none">No pairs match this filter.</p>
              ) : (
                <PairGrid ids={ids} overlay={overlay} onToggleOverlay={() => setOverlay(!overlay)} />
              )}
            </div>
            <SummaryPanel />
          </div>
        )}
      </div>
      {detailOpen ? <PairDetail ids={ids} /> : null}
      {previewOpen ? <SubmitReview /> : null}
      <MaskPreview />
      <UndoToast />
    </DropZone>
  )
}
