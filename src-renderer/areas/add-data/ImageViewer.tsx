import { useEffect, useRef, useState, type PointerEvent, type ReactElement, type WheelEvent } from 'react'
import type { StagedPair } from '@wms/shared/staging/staging-types'
import { PairThumbnail, type PictureLayer } from './PairThumbnail.js'

/** How the detail view compares a photo with its mask. */
export type CompareMode = 'overlay' | 'side-by-side' | 'blink'

interface View {
  scale: number
  x: number
  y: number
}

const FIT: View = { scale: 1, x: 0, y: 0 }

/**
 * A zoomable, pannable view of one pair: the mask overlaid with adjustable opacity, side by side (both panes move
 * together), or blinking between photo and mask to catch a mask that is a few pixels off.
 */
export function ImageViewer({
  pair,
  mode,
  opacity,
}: {
  pair: StagedPair
  mode: CompareMode
  opacity: number
}): ReactElement {
  const [view, setView] = useState<View>(FIT)
  const [blinkOn, setBlinkOn] = useState(false)
  const drag = useRef<{ x: number; y: number; view: View } | null>(null)

  useEffect(() => {
    if (mode !== 'blink') return undefined
    const timer = setInterval(() => setBlinkOn((on) => !on), 600)
    return () => clearInterval(timer)
  }, [mode])

  const onWheel = (event: WheelEvent<HTMLDivElement>): void => {
    const rect = event.currentTarget.getBoundingClientRect()
    const factor = event.deltaY < 0 ? 1.2 : 1 / 1.2
    const scale = Math.min(16, Math.max(1, view.scale * factor))
    // Zoom around the pointer: the point under it stays put.
    const px = event.clientX - rect.left - rect.width / 2
    const py = event.clientY - rect.top - rect.height / 2
    const ratio = scale / view.scale
    setView({ scale, x: px - (px - view.x) * ratio, y: py - (py - view.y) * ratio })
  }
  const onPointerDown = (event: PointerEvent<HTMLDivElement>): void => {
    event.currentTarget.setPointerCapture(event.pointerId)
    drag.current = { x: event.clientX, y: event.clientY, view }
  }
  const onPointerMove = (event: PointerEvent<HTMLDivElement>): void => {
    const start = drag.current
    if (start === null) return
    setView({ ...start.view, x: start.view.x + event.clientX - start.x, y: start.view.y + event.clientY - start.y })
  }
  const onPointerUp = (): void => {
    drag.current = null
  }

  const transform = { transform: `translate(${String(view.x)}px, ${String(view.y)}px) scale(${String(view.scale)})` }
  const pane = (layer: PictureLayer, label: string): ReactElement => (
    <div className="viewer__pane" role="img" aria-label={label}>
      <div className="viewer__content" style={transform}>
        <PairThumbnail pair={pair} layer={layer} opacity={opacity} size="full" />
      </div>
    </div>
  )

  return (
    <div className="viewer">
      <div
        className={`viewer__stage viewer__stage--${mode}`}
        onWheel={onWheel}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onDoubleClick={() => setView(FIT)}
        data-testid="viewer"
      >
        {mode === 'overlay' ? pane('overlay', 'Photo with mask overlay') : null}
        {mode === 'side-by-side' ? (
          <>
            {pane('photo', 'Photo')}
            {pane('mask', 'Mask')}
          </>
        ) : null}
        {mode === 'blink' ? pane(blinkOn ? 'mask' : 'photo', blinkOn ? 'Mask' : 'Photo') : null}
      </div>
      <div className="viewer__zoom" role="group" aria-label="Zoom">
        <button
          type="button"
          className="button button--small"
          onClick={() => setView({ ...view, scale: Math.min(16, view.scale * 1.5) })}
          aria-label="Zoom in"
        >
          +
        </button>
        <span aria-live="polite">{Math.round(view.scale * 100)}%</span>
        <button
          type="button"
          className="button button--small"
          onClick={() => setView({ ...view, scale: Math.max(1, view.scale / 1.5) })}
          aria-label="Zoom out"
        >
          −
        </button>
        <button type="button" className="button button--small" onClick={() => setView(FIT)}>
          Fit
        </button>
      </div>
    </div>
  )
}
