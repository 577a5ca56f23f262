/**
 * Largest file WMS Studio takes, whether added or replacing a pair's picture, on both hosts. Water-meter photos
 * are a few MB; this leaves room for uncompressed exports while bounding what the app holds in memory at once.
 */
export const MAX_UPLOAD_FILE_BYTES = 64 * 1024 * 1024

/** Bytes as megabytes for messages (`64 MB`, `20.5 MB`). */
export function formatMegabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024)
  return `${Number.isInteger(mb) ? String(mb) : mb.toFixed(1)} MB`
}

/** Why a file over the limit is refused, in the same words wherever it is refused (renderer or main). */
export function fileTooLargeMessage(path: string, size: number, limit = MAX_UPLOAD_FILE_BYTES): string {
  return `${path} is ${formatMegabytes(size)}; WMS Studio takes files up to ${formatMegabytes(limit)} each.`
}

/** What to do about a file that is too large. */
export const FILE_TOO_LARGE_HINT = 'Export the picture smaller (or as JPEG), then add it again.'
