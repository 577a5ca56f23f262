/**
 * MLflow's naming rules and limits (2.9), checked before anything is written so a FileStore key can never escape
 * its folder and a server never answers 400 half-way through a run.
 */

/** Longest tag/param/metric key MLflow accepts. */
export const MAX_KEY_LENGTH = 250
/** Longest param value MLflow 2.9 accepts (2.22 accepts more; we keep the stricter limit). */
export const MAX_PARAM_VALUE_LENGTH = 6000
/** Longest tag value MLflow accepts. */
export const MAX_TAG_VALUE_LENGTH = 5000
/** Most metrics in one `runs/log-batch`. */
export const MAX_BATCH_METRICS = 1000
/** Most params + tags in one `runs/log-batch`. */
export const MAX_BATCH_PARAMS_AND_TAGS = 100

const KEY_PATTERN = /^[/\w.\- ]*$/

/**
 * Why a param/metric/tag key is not valid for MLflow, or undefined when it is: `^[/\w.\- ]*$`, not empty, at most
 * 250 characters, and normalising to itself as a path (no `..`, `.` or empty segments, no leading `/`).
 */
export function keyProblem(key: string): string | undefined {
  if (key === '') return 'a key may not be empty'
  if (key.length > MAX_KEY_LENGTH) return `key exceeds ${String(MAX_KEY_LENGTH)} characters`
  if (!KEY_PATTERN.test(key)) {
    return 'a key may contain only alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ) and slashes (/)'
  }
  if (key.startsWith('/') || key.endsWith('/')) return 'a key may not start or end with "/"'
  if (key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    return 'a key may not contain empty, "." or ".." path segments'
  }
  return undefined
}

/** Why a registered model name is invalid (empty or containing a path separator), or undefined. */
export function modelNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'a registered model name may not be empty'
  if (/[/\\]/.test(name) || name === '.' || name === '..') return 'a registered model name may not contain "/" or "\\"'
  return undefined
}

/** Why an alias name is invalid or reserved (`latest`, `v<N>`), or undefined — same rules as MLflow. */
export function aliasProblem(alias: string): string | undefined {
  if (alias.toLowerCase() === 'latest') return "'latest' alias name (case insensitive) is reserved."
  if (/^v\d+$/i.test(alias)) return `Version alias name '${alias}' is reserved.`
  if (!/^[\w-]+$/.test(alias) || alias.length > 255) {
    return `alias '${alias}' may contain only alphanumerics, underscores and dashes`
  }
  return undefined
}

/** Splits `items` into chunks of at most `size` (for MLflow's batch limits). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = []
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size))
  return chunks
}

/**
 * Flattens a nested config into MLflow params: `{training: {augment: {hflip: 0.5}}}` → `training.augment.hflip=0.5`.
 * Arrays become JSON text; null becomes `null`. Keys are sorted so the same config logs the same params.
 */
export function flattenParams(value: unknown, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {}
  const visit = (node: unknown, path: string): void => {
    if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
      for (const key of Object.keys(node).sort()) {
        visit((node as Record<string, unknown>)[key], path === '' ? key : `${path}.${key}`)
      }
      return
    }
    if (path === '') return
    out[path] =
      Array.isArray(node) || (typeof node === 'object' && node !== null) ? JSON.stringify(node) : stringOf(node)
  }
  visit(value, prefix)
  return out
}

function stringOf(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  if (value === undefined) return ''
  return JSON.stringify(value)
}
