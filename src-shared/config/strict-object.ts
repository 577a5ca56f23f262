import { z } from 'zod'

/** `a_b`, `A-B` and `aB` compare equal: people write config keys in every case style. */
const normalise = (key: string): string => key.toLowerCase().replace(/[_-]/g, '')

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i]
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution))
    }
    previous = current
  }
  return previous[b.length] ?? 0
}

/**
 * The known key a misspelt one most likely meant: same letters in another case style (`image_size`), a close
 * spelling (`epoch`, `maxPixel`), or a clear prefix (`batch` → `batchSize`); undefined when nothing is close.
 */
export function suggestKey(unknown: string, known: readonly string[]): string | undefined {
  const wanted = normalise(unknown)
  let best: { key: string; score: number } | undefined
  for (const key of known) {
    const candidate = normalise(key)
    let score = editDistance(wanted, candidate)
    if (wanted.length >= 4 && (candidate.startsWith(wanted) || wanted.startsWith(candidate))) score = Math.min(score, 1)
    if (score <= Math.max(1, Math.floor(candidate.length / 4)) && (best === undefined || score < best.score)) {
      best = { key, score }
    }
  }
  return best?.key
}

/** The message for keys a config section does not have, with a suggestion for each. */
export function unknownKeysMessage(keys: readonly string[], known: readonly string[]): string {
  return keys
    .map((key) => {
      const suggestion = suggestKey(key, known)
      return `unknown key "${key}"${suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`}`
    })
    .join('; ')
}

/**
 * A config section that refuses keys it does not know (a misspelt `epoch: 1` would otherwise be ignored in
 * silence and training would run with the default), saying which known key was probably meant.
 */
export function configObject<Shape extends z.ZodRawShape>(shape: Shape) {
  const known = Object.keys(shape)
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? unknownKeysMessage(issue.keys, known) : undefined),
  })
}
