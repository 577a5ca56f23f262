/** A score as the Models area shows it: three decimals, or a dash when unknown. */
export function formatScore(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : value.toFixed(3)
}

/** A signed difference of scores (`+0.012`), or a dash. */
export function formatDelta(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–'
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(3)}`
}

/** A timestamp (ISO or epoch ms) as a short local date and time. */
export function formatWhen(value: string | number | null): string {
  if (value === null) return '–'
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString()
}

/** `images=<md5>.dir,masks=<md5>.dir` → the first 8 characters of the images hash (enough to tell versions apart). */
export function shortDataVersion(value: string | null): string {
  if (value === null) return '–'
  const images = /images=([0-9a-f]+)/i.exec(value)?.[1]
  return images === undefined ? value.slice(0, 12) : images.slice(0, 8)
}
