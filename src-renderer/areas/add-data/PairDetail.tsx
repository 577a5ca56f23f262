import { formatMegabytes, MAX_UPLOAD_FILE_BYTES } from '@wms/shared/ipc/upload-limit'
import { useEffect, useRef, useState, type ReactElement } from 'react'
import { useAppStore } from '../../store/app-store.js'
import { ImageViewer, type CompareMode } from './ImageViewer.js'
import { IssueList } from './IssueList.js'
import { StatusBadge } from './StatusBadge.js'

/**
 * One pair up close: the picture (zoom, pan, overlay opacity, side by side, blink), what QA found and what to do,
 * and the actions — fix, replace the mask, mark as a replacement, remove. ←/→ step through the filtered pairs.
 */
export function PairDetail({ ids }: { ids: readonly string[] }): ReactElement | null {
  const id = useAppStore((state) => state.staging.selectedId)
  const pair = useAppStore((state) => (id === null ? undefined : state.staging.pairs.get(id)))
  const select = useAppStore((state) => state.selectPair)
  const applyFixes = useAppStore((state) => state.applyFixes)
  const removePairs = useAppStore((state) => state.removePairs)
  const replaceFile = useAppStore((state) => state.replaceFile)
  const setReplacement = useAppStore((state) => state.setReplacement)
  const [mode, setMode] = useState<CompareMode>('overlay')
  const [opacity, setOpacity] = useState(0.45)
  const dialog = useRef<HTMLDivElement>(null)
  const maskInput = useRef<HTMLInputElement>(null)

  useEffect(() => {
    dialog.current?.focus()
  }, [])

  if (id === null || pair === undefined) return null
  const index = ids.indexOf(id)
  const close = (): void => select(id, false)
  const step = (delta: number): void => {
    const next = ids[index + delta]
    if (next !== undefined) select(next, true)
  }
  const fixable = pair.issues.some((issue) => issue.fixable)
  const collision = pair.issues.some((issue) => issue.ruleId.includes('collision'))

  return (
    <div className="detail-backdrop" onClick={close}>
      <div
        ref={dialog}
        className="detail"
        role="dialog"
        aria-modal="true"
        aria-label={`Pair ${id}`}
        tabIndex={-1}
        onClick={(event) => event.stopPropagation()}
        onKeyDown={(event) => {
          if (event.key === 'Escape') close()
          else if (event.key === 'ArrowRight' && event.target === dialog.current) step(1)
          else if (event.key === 'ArrowLeft' && event.target === dialog.current) step(-1)
          else if (event.key === 'o' && event.target === dialog.current)
            setMode(mode === 'overlay' ? 'side-by-side' : 'overlay')
          else if (event.key === 'f' && event.target === dialog.current && fixable) void applyFixes([id])
          else return
          event.preventDefault()
        }}
      >
        <header className="detail__header">
          <StatusBadge status={pair.status} />
          <h2 title={id}>{id}</h2>
          <span className="muted">
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
          <aside className="detail__side">
            <h3>What QA found</h3>
            <IssueList pair={pair} />
            {pair.modelCheck === undefined ? null : (
              // Issue 17 (Models → Try it): a model's prediction compared with this mask.
              <p className={pair.modelCheck.disagrees ? 'text-warning' : 'muted'} data-testid="model-check">
                {pair.modelCheck.disagrees ? 'Possibly wrong mask: ' : ''}model v{pair.modelCheck.version} agrees with
                this mask at Dice {pair.modelCheck.dice.toFixed(3)}.
              </p>
            )}
            <h3>Actions</h3>
            <div className="detail__actions">
              <button
                type="button"
                className="button button--primary"
                disabled={!fixable}
                onClick={() => void applyFixes([id])}
              >
                Apply safe fixes
              </button>
              <button
                type="button"
                className="button"
                title={`A PNG or JPEG, up to ${formatMegabytes(MAX_UPLOAD_FILE_BYTES)}`}
                onClick={() => maskInput.current?.click()}
              >
                Replace mask…
              </button>
              <input
                ref={maskInput}
                type="file"
                accept=".png,.jpg,.jpeg"
                hidden
                aria-label="Replacement mask file"
                onChange={(event) => {
                  const file = event.target.files?.[0]
                  if (file !== undefined) void replaceFile(id, 'mask', file)
                  event.target.value = ''
                }}
              />
              {collision || pair.replacement ? (
                <label className="detail__check">
                  <input
                    type="checkbox"
                    checked={pair.replacement}
                    onChange={(event) => void setReplacement(id, event.target.checked)}
                  />
                  Replaces the dataset&apos;s pair with this name
                </label>
              ) : null}
              <button
                type="button"
                className="button button--danger"
                onClick={() => {
                  const following = ids[index + 1] ?? ids[index - 1] ?? null
                  void removePairs([id])
                  select(following, following !== null)
                }}
              >
                Remove pair
              </button>
            </div>
            {pair.fixes.length > 0 ? (
              <p className="muted">Fixed: {pair.fixes.join(', ')} (the originals are kept).</p>
            ) : null}
            <p className="muted detail__files">
              {pair.image?.relpath} ({pair.image?.originalName})
              <br />
              {pair.mask?.relpath} ({pair.mask?.originalName})
            </p>
          </aside>
        </div>
      </div>
    </div>
  )
}
