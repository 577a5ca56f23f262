import { appendFileSync, chmodSync, mkdirSync } from 'node:fs'
import path from 'node:path'

/** Where internal errors (bugs) are written down, so "report it with the log" has a log to report. */
export interface ErrorLog {
  /** The log file. */
  readonly file: string
  /** Adds a value that must never reach the log (the launch token, once it exists). */
  addSecret(secret: string): void
  /**
   * Appends one error with where it happened, secrets scrubbed; answers the file it went to, or `undefined` when
   * the log could not be written (the error is then on stderr only, through `fallback`).
   */
  write(where: string, thrown: unknown): string | undefined
}

/** Name of the error log inside the user data folder. */
export const ERROR_LOG_RELATIVE = path.join('logs', 'wms-studio.log')

const REDACTED = '[redacted]'

// Shapes of secrets that may sit in an error's message or stack: bearer headers, key=value pairs, credentials in
// URLs, provider token formats, and long hex strings (launch tokens, media keys).
const SECRET_PATTERNS: readonly [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [/\b(wms\.token\.)[0-9a-f]+/gi, `$1${REDACTED}`],
  [/\b(code=)[0-9a-f]{32,}/gi, `$1${REDACTED}`],
  [
    /\b([\w-]*(?:token|secret|password|passwd|pwd|credential|authorization)[\w-]*|[\w-]*key)(["']?\s*[=:]\s*["']?)[^\s&"',;]+/gi,
    `$1$2${REDACTED}`,
  ],
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi, `$1${REDACTED}@`],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, REDACTED],
  [/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g, REDACTED],
  [/\b[0-9a-f]{64,}\b/gi, REDACTED],
]

/** `text` without the given secrets and without anything shaped like a credential. */
export function scrubSecrets(text: string, secrets: Iterable<string> = []): string {
  let scrubbed = text
  for (const secret of secrets) if (secret.length >= 8) scrubbed = scrubbed.split(secret).join(REDACTED)
  for (const [pattern, replacement] of SECRET_PATTERNS) scrubbed = scrubbed.replace(pattern, replacement)
  return scrubbed
}

/**
 * The error log of one user data folder (`<userData>/logs/wms-studio.log`), readable by the user only. Writes are
 * synchronous: an internal error is rare, and the entry must be on disk before the message that points to it.
 */
export function createErrorLog(
  userDataDir: string,
  options: { now?: () => Date; fallback?: (line: string) => void } = {},
): ErrorLog {
  const file = path.join(userDataDir, ERROR_LOG_RELATIVE)
  const secrets = new Set<string>()
  const now = options.now ?? (() => new Date())
  return {
    file,
    addSecret: (secret) => {
      secrets.add(secret)
    },
    write: (where, thrown) => {
      const detail = thrown instanceof Error ? (thrown.stack ?? `${thrown.name}: ${thrown.message}`) : String(thrown)
      const entry = scrubSecrets(`${now().toISOString()} internal error in ${where}\n${detail}\n\n`, secrets)
      options.fallback?.(entry.trimEnd())
      try {
        mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
        appendFileSync(file, entry, { mode: 0o600 })
        chmodSync(file, 0o600)
        return file
      } catch {
        return undefined
      }
    },
  }
}
