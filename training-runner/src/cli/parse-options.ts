import { InvalidArgumentError } from 'commander'

/** Option parsers shared by the commands: each throws commander's error, which prints as a usage error. */

/** A whole number ≥ 0. */
export function parseCount(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number, got "${value}"`)
  return n
}

/** A whole number ≥ 1. */
export function parsePositive(value: string): number {
  const n = parseCount(value)
  if (n === 0) throw new InvalidArgumentError('expected a number above 0')
  return n
}

/** A comma-separated list, accumulated over repeated options. */
export function parseList(value: string, previous: string[]): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  ]
}

/** A model registry version number, kept as text (MLflow's ids are strings). */
export function parseVersion(value: string): string {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a registry version number, got "${value}"`)
  return value
}
