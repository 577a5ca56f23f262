import { useCallback, useEffect, useRef, useState } from 'react'

/**
 * A small, app-wide queue for picture loads. Browsers open at most six connections to one origin; a grid of
 * thumbnails would take all of them and stall the uploads that feed the grid. Pictures wait for one of a few
 * slots instead, and a card scrolled away before its turn gives its place back.
 */
const MAX_LOADS = 3
let active = 0
const waiting: (() => void)[] = []

function release(): void {
  active -= 1
  waiting.shift()?.()
}

/**
 * Whether the picture at `src` may load now, and the function to call once it has loaded (or failed) to free
 * the slot. Changing `src` queues again.
 */
export function useLoadSlot(src: string | null): { admitted: boolean; done: () => void } {
  const [admitted, setAdmitted] = useState<string | null>(null)
  const finishRef = useRef<() => void>(() => undefined)
  useEffect(() => {
    if (src === null) return undefined
    let held = false
    let finished = false
    const admit = (): void => {
      active += 1
      held = true
      setAdmitted(src)
    }
    if (active < MAX_LOADS) admit()
    else waiting.push(admit)
    const finish = (): void => {
      if (finished) return
      finished = true
      if (held) release()
      else waiting.splice(waiting.indexOf(admit), 1)
    }
    finishRef.current = finish
    return finish
  }, [src])
  const done = useCallback(() => finishRef.current(), [])
  return { admitted: src !== null && admitted === src, done }
}
