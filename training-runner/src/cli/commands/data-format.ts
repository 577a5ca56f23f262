import type { MergeCounts } from '@wms/shared/dvc/merge-plan'
import { formatBytes } from '@wms/shared/util/format'
import { printable } from '@wms/shared/util/printable'

/** Shared text helpers of the `data` commands. */

/** `images   existing 100  new 50  replaced 0  total 150` */
export function countsLine(name: string, counts: MergeCounts): string {
  return `  ${name.padEnd(8)} existing ${String(counts.existing)}  new ${String(counts.new)}  replaced ${String(counts.replaced)}  unchanged ${String(counts.unchanged)}  total ${String(counts.total)}`
}

/** At most `limit` lines of `items`, then how many more. */
export function capped(items: readonly string[], limit: number, indent = '    '): string[] {
  const lines = items.slice(0, limit).map((item) => `${indent}${printable(item)}`)
  if (items.length > limit) lines.push(`${indent}… and ${String(items.length - limit)} more (use --json for all)`)
  return lines
}

/** `12 objects (3.4 MB)` */
export function objectsAndBytes(objects: number, bytes: number): string {
  return `${String(objects)} object${objects === 1 ? '' : 's'} (${formatBytes(bytes)})`
}
