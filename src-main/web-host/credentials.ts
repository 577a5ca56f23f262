import { randomBytes } from 'node:crypto'
import { tokensMatch } from './security.js'

/** A clock in milliseconds (tests pass their own). */
export type Clock = () => number

/**
 * Short-lived keys that only unlock pictures (`/media/…`). `<img>` cannot send the bearer token, so the page
 * trades its token for one of these in an HttpOnly cookie. Cookies are not isolated by port, so any other server
 * on 127.0.0.1 the browser visits may receive it: that is why it is never the API token, reads pictures only,
 * and expires (the page renews it while it is open).
 */
export class MediaKeys {
  private readonly keys = new Map<string, number>()

  constructor(
    /** How long a key stays valid. */
    readonly ttlMs: number,
    private readonly now: Clock = Date.now,
    /** Most keys alive at once (tabs of this launch); the oldest goes first. */
    private readonly maxKeys = 32,
  ) {}

  /** A fresh key, valid for {@link ttlMs}. */
  issue(): string {
    this.forgetExpired()
    const key = randomBytes(32).toString('hex')
    this.keys.set(key, this.now() + this.ttlMs)
    while (this.keys.size > this.maxKeys) {
      const oldest = this.keys.keys().next().value
      if (oldest === undefined) break
      this.keys.delete(oldest)
    }
    return key
  }

  /** True when `key` was issued here and has not expired. */
  accepts(key: string | undefined): boolean {
    if (key === undefined) return false
    this.forgetExpired()
    for (const known of this.keys.keys()) if (tokensMatch(known, key)) return true
    return false
  }

  private forgetExpired(): void {
    const now = this.now()
    for (const [key, expires] of this.keys) if (expires <= now) this.keys.delete(key)
  }
}

/**
 * One-time codes that stand for the launch token in the URL a browser is opened with. The opener's arguments are
 * readable by every local user (`ps`), so they carry a code that the page exchanges once for the token; a code
 * that was used, or is older than its lifetime, is worth nothing.
 */
export class LaunchCodes {
  private readonly codes = new Map<string, number>()

  constructor(
    readonly ttlMs: number,
    private readonly now: Clock = Date.now,
  ) {}

  /** A fresh code, valid once within {@link ttlMs}. */
  issue(): string {
    const code = randomBytes(16).toString('hex')
    this.codes.set(code, this.now() + this.ttlMs)
    return code
  }

  /** True (once) when `code` was issued here and has not expired; the code is spent either way. */
  redeem(code: string | undefined): boolean {
    if (code === undefined) return false
    for (const [known, expires] of this.codes) {
      if (!tokensMatch(known, code)) continue
      this.codes.delete(known)
      return expires > this.now()
    }
    return false
  }
}
