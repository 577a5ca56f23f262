/** How long something took, for people: `45 s`, `3 min 12 s`, `2 h 5 min`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000))
  if (seconds < 60) return `${String(seconds)} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${String(minutes)} min ${String(seconds % 60)} s`
  return `${String(Math.floor(minutes / 60))} h ${String(minutes % 60)} min`
}

/** How old something is, for people: `just now`, `5 min ago`, `3 h ago`, `2 days ago`. */
export function formatAge(ms: number): string {
  const minutes = Math.floor(ms / 60_000)
  if (minutes < 1) return 'just now'
  if (minutes < 60) return `${String(minutes)} min ago`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${String(hours)} h ago`
  return `${String(Math.floor(hours / 24))} days ago`
}

/** A score with three decimals, or a dash when there is none. */
export function formatScore(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : value.toFixed(3)
}

/** A signed change with three decimals (`+0.012`, `−0.200`). */
export function formatDelta(value: number): string {
  const text = Math.abs(value).toFixed(3)
  return value > 0 ? `+${text}` : value < 0 ? `−${text}` : `±${text}`
}
