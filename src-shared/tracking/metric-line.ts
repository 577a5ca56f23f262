import type { Metric } from './types.js'

/**
 * The FileStore's metric file format (`<run>/metrics/<key>`): one line per point,
 * `<timestamp_ms:int> <value:python float repr> <step:int>\n`, e.g. `1795764149913 0.9 0`, `1795764149918 nan 0`.
 * MLflow reads a line with `line.strip().split(" ")` (2 or 3 fields; step defaults to 0) and `float(value)`.
 */

/**
 * Formats a number the way Python's `repr(float)` does: shortest round-trip digits, `1.0` for integers,
 * `1e-05`/`1e+16` outside [1e-4, 1e16), `nan`, `inf`, `-inf`.
 */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan'
  if (value === Infinity) return 'inf'
  if (value === -Infinity) return '-inf'
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0'
  const sign = value < 0 ? '-' : ''
  // toExponential() without an argument gives the shortest digits that round-trip (as Python's repr does).
  const [mantissa = '', exponentText = '0'] = Math.abs(value).toExponential().split('e')
  const digits = mantissa.replace('.', '')
  const exponent = Number(exponentText)
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : ''
    const expSign = exponent < 0 ? '-' : '+'
    return `${sign}${digits.slice(0, 1)}${fraction}e${expSign}${String(Math.abs(exponent)).padStart(2, '0')}`
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`
  const integerPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0')
  const fractionPart = digits.slice(exponent + 1)
  return `${sign}${integerPart}.${fractionPart === '' ? '0' : fractionPart}`
}

/** Parses a Python float literal as MLflow's reader accepts it (`nan`, `inf`, `-inf`, `1e-05`, `Infinity`). */
export function parsePythonFloat(text: string): number | undefined {
  const lower = text.trim().toLowerCase()
  if (lower === 'nan' || lower === '+nan' || lower === '-nan') return NaN
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity
  if (lower === '-inf' || lower === '-infinity') return -Infinity
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(lower.replace(/_/g, ''))) return undefined
  return Number(lower.replace(/_/g, ''))
}

/** One metric point as a FileStore line, with the trailing newline. */
export function formatMetricLine(point: Pick<Metric, 'timestamp' | 'value' | 'step'>): string {
  return `${String(Math.trunc(point.timestamp))} ${pythonFloatRepr(point.value)} ${String(Math.trunc(point.step))}\n`
}

/** Parses one line of a metric file; throws with the reason when MLflow would call it malformed. */
export function parseMetricLine(key: string, line: string): Metric {
  const fields = line.trim().split(' ')
  if (fields.length !== 2 && fields.length !== 3) {
    throw new Error(`Metric '${key}' is malformed; persisted metric data contained ${String(fields.length)} fields.`)
  }
  const [ts = '', valueText = '', stepText = '0'] = fields
  const timestamp = parsePythonInt(ts)
  const value = parsePythonFloat(valueText)
  const step = parsePythonInt(stepText)
  if (timestamp === undefined || value === undefined || step === undefined) {
    throw new Error(`Metric '${key}' is malformed: cannot parse line "${line.trim()}".`)
  }
  return { key, value, timestamp, step }
}

/** Parses a whole metric file (file order is history order); blank lines are skipped. */
export function parseMetricFile(key: string, text: string): Metric[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => parseMetricLine(key, line))
}

function parsePythonInt(text: string): number | undefined {
  return /^[+-]?\d+$/.test(text) ? Number(text) : undefined
}
