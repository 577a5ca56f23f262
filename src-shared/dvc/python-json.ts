/**
 * The exact bytes Python's `json.dumps(value, sort_keys=True)` writes, which DVC hashes to name a directory.
 *
 * Differences from `JSON.stringify` that matter: `", "` and `": "` separators, keys sorted by code point, and
 * `ensure_ascii` (every character outside `' '…'~'` escaped as `\uXXXX` in lower-case hex, astral characters as
 * their surrogate pair), so a unicode file name hashes exactly as DVC hashes it.
 */

/** A value Python's json module serialises the same way we do (no floats: DVC manifests hold none). */
export type PythonJsonValue = string | number | boolean | null | PythonJsonValue[] | { [key: string]: PythonJsonValue }

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x22: '\\"',
  0x5c: '\\\\',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
}

/** A string as Python's `json.dumps` (`ensure_ascii=True`) writes it, quotes included. */
export function pythonJsonString(value: string): string {
  let out = '"'
  for (let i = 0; i < value.length; i += 1) {
    // UTF-16 code units: exactly what Python's escaper emits for astral characters (a surrogate pair).
    const unit = value.charCodeAt(i)
    const short = SHORT_ESCAPES[unit]
    if (short !== undefined) out += short
    else if (unit < 0x20 || unit > 0x7e) out += `\\u${unit.toString(16).padStart(4, '0')}`
    else out += value[i] ?? ''
  }
  return `${out}"`
}

/** Compares two strings by Unicode code point, as Python sorts `str` (JS `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    // Only surrogates (0xD800–0xDFFF) sort differently by unit than by code point: they stand for code points
    // above 0xFFFF, so they must sort after every other BMP unit (0xE000–0xFFFF included).
    const xs = x >= 0xd800 && x <= 0xdfff
    const ys = y >= 0xd800 && y <= 0xdfff
    if (xs !== ys) return xs ? 1 : -1
    return x - y
  }
  return a.length - b.length
}

/** Serialises like `json.dumps(value, sort_keys=True)` with the default separators. */
export function pythonJsonDumps(value: PythonJsonValue): string {
  if (value === null) return 'null'
  if (typeof value === 'string') return pythonJsonString(value)
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`Only safe integers are supported, got ${String(value)}`)
    return String(value)
  }
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`
  const keys = Object.keys(value).sort(compareCodePoints)
  return `{${keys.map((key) => `${pythonJsonString(key)}: ${pythonJsonDumps(value[key] ?? null)}`).join(', ')}}`
}
