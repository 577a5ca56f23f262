/*
 * Reloads bring the same data back most of the time (the Pipeline and Models areas reload on every open, and the
 * status source pushes its look every few seconds). A store that swaps in the new, equal objects makes every
 * memoised component draw again: two recharts charts of a long training run, 200 version rows. These helpers keep
 * the objects already on screen where the new ones hold the same data, so only what changed is drawn.
 */

/** Whether two values serialise to the same JSON (what crossed the IPC boundary, so exactly their data). */
export function sameData(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b)
}

/**
 * `next`, with each item that equals the previous item of the same key replaced by that previous item — or
 * `previous` itself when every item is kept in the same order.
 */
export function reuseEqualItems<T>(previous: T[], next: readonly T[], key: (item: T) => string): T[] {
  const byKey = new Map(previous.map((item) => [key(item), item]))
  const kept = next.map((item) => {
    const before = byKey.get(key(item))
    return before !== undefined && sameData(before, item) ? before : item
  })
  return kept.length === previous.length && kept.every((item, index) => item === previous[index]) ? previous : kept
}
