import { useEffect, useRef, useState, type ReactElement } from 'react'
import { useDialog } from '../../components/use-dialog.js'
import { useAppStore } from '../../store/app-store.js'
import { DetailToolbar } from './DetailToolbar.js'
import type { FindingAction } from './finding-words.js'
import { ImageViewer, type CompareMode } from './ImageViewer.js'
import { IssueList } from './IssueList.js'
import { StatusBadge } from './StatusBadge.js'

/** The grid card of a pair (where focus returns when the detail closes). */
export function cardOf(id: string): HTMLElement | null {
  return document.querySelector<HTMLElement>(`[data-pair-id="${CSS.escape(id)}"]`)
}

/**
 * One pair up close: the picture (zoom, pan, overlay opacity, side by side, blink), the actions in a toolbar that
 * stays in view, and what QA found, each finding with the action that resolves it. ←/→ step through the filtered
 * pairs; focus stays in the dialog and returns to the pair's card when it closes.
 */
export function PairDetail({ ids }: { ids: readonly string[] }): ReactElement | null {
  const id = useAppStore((state) => state.staging.selectedId)
  const pair = useAppStore((state) => (id === null ? undefined : state.staging.pairs.get(id)))
  const select = useAppStore((state) => state.selectPair)
  const applyFixes = useAppStore((state) => state.applyFixes)
  const removePairs = useAppStore((state) => state.removePairs)
  const setReplacement = useAppStore((state) => state.setReplacement)
  const [mode, setMode] = useState<CompareMode>('overlay')
  const [opacity, setOpacity] = useState(0.45)
  const dialog = useRef<HTMLDivElement>(null)
  const maskInput = useRef<HTMLInputElement>(null)
  // The pair shown last: focus returns to its card, even after it was removed from under the dialog.
  const lastId = useRef(id)
  useEffect(() => {
    if (id !== null) lastId.current = id
  }, [id])
  const close = (): void => select(lastId.current, false)
  const onDialogKey = useDialog(dialog, close, () => (lastId.current === null ? null : cardOf(lastId.current)))

  if (id === null || pair === undefined) return null
  const index = ids.indexOf(id)
  const step = (delta: number): void => {
    const next = ids[index + delta]
    if (next !== undefined) select(next, true)
  }
  const remove = (): void => {
    const following = ids[index + 1] ?? ids[index - 1] ?? null
    void removePairs([id])
    select(following, following !== null)
  }
  const onAction = (action: Exclude<FindingAction, 'none'>): void => {
    if (action === 'fix') void applyFixes([id])
    else if (action === 'remove') remove()
    else if (action === 'replace-mask') maskInput.current?.click()
    else void setReplacement(id, true)
  }

  return (
    <div className="detail-backdrop" onClick={close}>
      <div
        ref={dialog}
        className="detail"
        role="dialog"
        aria-modal="true"
        aria-labelledby="detail-title"
        tabIndex={-1}
        onClick={(event) => event.stopPropagation()}
        onKeyDown={(event) => {
          onDialogKey(event)
          if (event.defaultPrevented || event.target !== dialog.current) return
          if (event.key === 'ArrowRight') step(1)
          else if (event.key === 'ArrowLeft') step(-1)
          else if (event.key === 'o') setMode(mode === 'overlay' ? 'side-by-side' : 'overlay')
          else if (event.key === 'f') void applyFixes([id])
          else return
          event.preventDefault()
        }}
      >
        <header className="detail__header">
          <StatusBadge status={pair.status} />
          <h2 id="detail-title" title={id}>
            Pair {id}
          </h2>
          <span className="muted detail__facts">
            {index + 1} of {ids.length}
            {pair.width !== undefined && pair.height !== undefined
              ? ` · ${String(pair.width)}×${String(pair.height)}`
              : ''}
            {pair.foreground !== undefined ? ` · mask ${(pair.foreground * 100).toFixed(1)} %` : ''}
          </span>
          <span className="detail__nav">
            <button
              type="button"
              className="button button--small"
              onClick={() => step(-1)}
              disabled={index <= 0}
              aria-label="Previous pair"
            >
              ←
            </button>
            <button
              type="button"
              className="button button--small"
              onClick={() => step(1)}
              disabled={index >= ids.length - 1}
              aria-label="Next pair"
            >
              →
            </button>
            <button type="button" className="button button--small" onClick={close} aria-label="Close">
              ✕
            </button>
          </span>
        </header>
        <DetailToolbar pair={pair} maskInput={maskInput} onRemove={remove} />
        <div className="detail__body">
          <div className="detail__picture">
            <div className="detail__controls" role="group" aria-label="Compare">
              {(['overlay', 'side-by-side', 'blink'] as const).map((value) => (
                <button
                  key={value}
                  type="button"
                  className={`chip${mode === value ? ' chip--active' : ''}`}
                  aria-pressed={mode === value}
                  onClick={() => setMode(value)}
                >
                  {value === 'overlay' ? 'Overlay' : value === 'side-by-side' ? 'Side by side' : 'Blink'}
                </button>
              ))}
              <label className="detail__opacity">
                Mask opacity
                <input
                  type="range"
                  min={0}
                  max={1}
                  step={0.05}
                  value={opacity}
                  onChange={(event) => setOpacity(Number(event.target.value))}
                  disabled={mode !== 'overlay'}
                />
              </label>
            </div>
            {/* Keyed by pair: zoom and pan start fresh for each pair. */}
            <ImageViewer key={pair.id} pair={pair} mode={mode} opacity={opacity} />
          </div>
          <section className="detail__side" aria-labelledby="detail-findings" tabIndex={0}>
            <h3 id="detail-findings">What QA found</h3>
            <IssueList pair={pair} onAction={onAction} />
            {pair.modelCheck === undefined ? null : (
              // Issue 17 (Models → Try it): a model's prediction compared with this mask.
              <p className={pair.modelCheck.disagrees ? 'text-warning' : 'muted'} data-testid="model-check">
                {pair.modelCheck.disagrees ? 'Possibly wrong mask: ' : ''}model v{pair.modelCheck.version} agrees with
                this mask at Dice {pair.modelCheck.dice.toFixed(3)}.
              </p>
            )}
            {pair.fixes.length > 0 ? (
              <p className="detail__note" data-testid="fix-note">
                {pair.autoFixed === true ? 'Fixed when added' : 'Fixed'}: {pair.fixes.join(', ')}. The originals are
                kept until you submit.
              </p>
            ) : null}
            <p className="muted detail__files">
              {pair.image?.relpath} ({pair.image?.originalName})
              <br />
              {pair.mask?.relpath} ({pair.mask?.originalName})
            </p>
          </section>
        </div>
      </div>
    </div>
  )
}
