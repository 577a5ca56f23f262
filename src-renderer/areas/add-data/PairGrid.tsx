import { useVirtualizer } from '@tanstack/react-virtual'
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactElement } from 'react'
import { useAppStore } from '../../store/app-store.js'
import { PairCard } from './PairCard.js'

const CARD_WIDTH = 196
const ROW_HEIGHT = 232
const GAP = 12

/**
 * The staged pairs as a virtualised grid: only the rows on screen exist in the DOM, so a thousand pairs cost what
 * twenty do. A click or Enter opens a pair, arrow keys move the selection, `o` toggles the mask overlay, `f` applies
 * the safe fixes and Delete removes the pair (Ctrl+Z brings it back). The grid is always one Tab stop: the
 * current card when it is on screen, else the grid itself (a filtered-out or scrolled-away selection never drops
 * it out of the Tab order).
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
  // True while keyboard focus belongs to the grid. A card that changes row (its status moved it in the sort) is
  // mounted afresh and the browser drops its focus on the page; the grid takes it back to the same card.
  const holdsFocus = useRef(false)
  const focusWanted = useRef<string | null>(null)
  const current = selectedId !== null && ids.includes(selectedId) ? selectedId : (ids[0] ?? null)
  const items = virtualizer.getVirtualItems()
  const rendered =
    current !== null &&
    items.some((row) => ids.slice(row.index * columns, row.index * columns + columns).includes(current))

  useLayoutEffect(() => {
    if (!holdsFocus.current || selectedId === null) return
    const active = document.activeElement
    if (active !== null && active !== document.body) return
    scroller.current?.querySelector<HTMLElement>(`[data-pair-id="${CSS.escape(selectedId)}"]`)?.focus()
  })

  const focusPair = (index: number): void => {
    const id = ids[index]
    if (id === undefined) return
    select(id)
    focusWanted.current = id
    virtualizer.scrollToIndex(Math.floor(index / columns), { align: 'auto' })
    requestAnimationFrame(() => {
      // A later move wins: focusing an earlier target now would select it again.
      if (focusWanted.current !== id) return
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
      // Focus moves on to the next card, so the keyboard user is not dropped onto the page.
      if (following === null) select(null)
      else focusPair(ids.indexOf(following))
    } else return
    event.preventDefault()
  }

  return (
    <div
      ref={scroller}
      className="pair-grid"
      role="region"
      aria-label="Staged pairs. Enter or click opens, arrow keys move, o toggles the mask overlay, f fixes, Delete removes, Ctrl+Z undoes."
      onKeyDown={onKeyDown}
      onBlur={(event) => {
        // Focus moved on to something else: the grid lets it go.
        const next = event.relatedTarget
        if (next instanceof Node && !event.currentTarget.contains(next)) holdsFocus.current = false
      }}
      onFocus={(event) => {
        holdsFocus.current = true
        // Tab onto the grid itself: hand focus to the current card.
        if (event.target === scroller.current && current !== null && rendered) focusPair(ids.indexOf(current))
      }}
      tabIndex={rendered ? -1 : 0}
      data-testid="pair-grid"
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {items.map((row) => (
          <div
            key={row.key}
            className="pair-grid__row"
            style={{
              transform: `translateY(${String(row.start)}px)`,
              gridTemplateColumns: `repeat(${String(columns)}, ${String(CARD_WIDTH)}px)`,
            }}
          >
            {ids.slice(row.index * columns, row.index * columns + columns).map((id) => (
              <PairCard key={id} id={id} overlay={overlay} onOpen={open} tabbable={id === current} />
            ))}
          </div>
        ))}
      </div>
    </div>
  )
}
