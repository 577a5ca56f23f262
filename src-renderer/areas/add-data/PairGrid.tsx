import { useVirtualizer } from '@tanstack/react-virtual'
import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type ReactElement } from 'react'
import { useAppStore } from '../../store/app-store.js'
import { PairCard } from './PairCard.js'

const CARD_WIDTH = 196
const ROW_HEIGHT = 232
const GAP = 12

/**
 * The staged pairs as a virtualised grid: only the rows on screen exist in the DOM, so a thousand pairs cost what
 * twenty do. Arrow keys move the selection, Enter opens a pair, `o` toggles the mask overlay, `f` applies the safe
 * fixes and Delete removes the pair.
 */
export function PairGrid({
  ids,
  overlay,
  onToggleOverlay,
}: {
  ids: readonly string[]
  overlay: boolean
  onToggleOverlay: () => void
}): ReactElement {
  const scroller = useRef<HTMLDivElement>(null)
  const [columns, setColumns] = useState(4)
  const selectedId = useAppStore((state) => state.staging.selectedId)
  const select = useAppStore((state) => state.selectPair)
  const applyFixes = useAppStore((state) => state.applyFixes)
  const removePairs = useAppStore((state) => state.removePairs)

  useEffect(() => {
    const element = scroller.current
    if (element === null) return undefined
    const observer = new ResizeObserver(([entry]) => {
      const width = entry?.contentRect.width ?? CARD_WIDTH
      setColumns(Math.max(1, Math.floor((width + GAP) / (CARD_WIDTH + GAP))))
    })
    observer.observe(element)
    return () => observer.disconnect()
  }, [])

  const rows = Math.ceil(ids.length / columns)
  // TanStack Virtual hands out fresh functions each render by design; the React Compiler skips this component.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT + GAP,
    overscan: 3,
    // A first guess of the viewport, so the first frame already shows cards (measured right after).
    initialRect: { width: 900, height: 700 },
  })

  const open = useCallback((id: string) => select(id, true), [select])

  const focusPair = (index: number): void => {
    const id = ids[index]
    if (id === undefined) return
    select(id)
    virtualizer.scrollToIndex(Math.floor(index / columns), { align: 'auto' })
    requestAnimationFrame(() => {
      const cards = scroller.current?.querySelectorAll<HTMLElement>('[data-pair-id]') ?? []
      for (const card of cards) if (card.dataset.pairId === id) card.focus()
    })
  }

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    const index = selectedId === null ? -1 : ids.indexOf(selectedId)
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns }
    const move = moves[event.key]
    if (move !== undefined) {
      event.preventDefault()
      focusPair(index < 0 ? 0 : Math.min(ids.length - 1, Math.max(0, index + move)))
      return
    }
    if (event.key === 'Home') focusPair(0)
    else if (event.key === 'End') focusPair(ids.length - 1)
    else if (event.key === 'o') onToggleOverlay()
    else if (selectedId === null) return
    else if (event.key === 'Enter') open(selectedId)
    else if (event.key === 'f') void applyFixes([selectedId])
    else if (event.key === 'Delete' || event.key === 'Backspace') {
      const following = ids[index + 1] ?? ids[index - 1] ?? null
      void removePairs([selectedId])
      select(following)
    } else return
    event.preventDefault()
  }

  return (
    <div
      ref={scroller}
      className="pair-grid"
      role="region"
      aria-label="Staged pairs. Arrow keys move, Enter opens, o toggles the mask overlay, f fixes, Delete removes."
      onKeyDown={onKeyDown}
      tabIndex={selectedId === null ? 0 : -1}
      data-testid="pair-grid"
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((row) => (
          <div
            key={row.key}
            className="pair-grid__row"
            style={{
              transform: `translateY(${String(row.start)}px)`,
              gridTemplateColumns: `repeat(${String(columns)}, ${String(CARD_WIDTH)}px)`,
            }}
          >
            {ids.slice(row.index * columns, row.index * columns + columns).map((id) => (
              <PairCard key={id} id={id} overlay={overlay} onOpen={open} />
            ))}
          </div>
        ))}
      </div>
    </div>
  )
}
