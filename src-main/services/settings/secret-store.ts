import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { lstat, mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import type { SecretCipher } from './secret-cipher.js'

/** Names of the secrets the app keeps (one per credential, so each is replaced on its own). */
export type SecretName = 'github.token' | 's3.accessKeyId' | 's3.secretAccessKey' | 'mlflow.token' | 'mlflow.password'

interface SecretFile {
  version: 1
  kind: SecretCipher['kind']
  /** name → base64 ciphertext. */
  entries: Partial<Record<SecretName, string>>
}

const LOCK_STALE_MS = 30_000
const LOCK_WAIT_MS = 5_000

/**
 * The app's secrets, encrypted one by one with a {@link SecretCipher}, in one JSON file of the user-data folder
 * (0600). Writes are read-modify-write under a lock file (two app processes on one user-data folder never lose each
 * other's change), go through a new temp file and a rename (a crash leaves the old file or the new one, never half
 * of one), and refuse a symlink in place of the file. Values are never logged: {@link onSecret} lets the error log
 * learn each one so it can scrub it.
 */
export class SecretStore {
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    readonly file: string,
    private readonly cipher: SecretCipher,
    /** Told every secret read or written (the error log scrubs them). */
    private readonly onSecret: (value: string) => void = () => undefined,
  ) {}

  /** How secrets are kept, in words. */
  get description(): string {
    return `${this.cipher.description}; secrets in ${this.file}`
  }

  /** The cipher's kind. */
  get kind(): SecretCipher['kind'] {
    return this.cipher.kind
  }

  /** The secret, or `undefined` when none is stored. Throws `secrets/unreadable` on a wrong key or damaged file. */
  async get(name: SecretName): Promise<string | undefined> {
    const file = await this.read()
    const encoded = file.entries[name]
    if (encoded === undefined) return undefined
    const value = await this.cipher.decrypt(name, Buffer.from(encoded, 'base64'))
    this.onSecret(value)
    return value
  }

  /** Whether a secret is stored (without decrypting it). */
  async has(name: SecretName): Promise<boolean> {
    return (await this.read()).entries[name] !== undefined
  }

  /** Problems reading the store (wrong key, damaged), or `null` when it reads (decrypting every entry). */
  async check(): Promise<string | null> {
    try {
      const file = await this.read()
      for (const name of Object.keys(file.entries) as SecretName[]) await this.get(name)
      return null
    } catch (thrown) {
      return thrown instanceof WmsError ? thrown.message : String(thrown)
    }
  }

  /**
   * Stores (`string`) or forgets (`null`) secrets, in one atomic write. A store that cannot be read any more is
   * moved aside first (`<file>.unreadable-<time>`): its secrets are lost either way, and the user is signing in again.
   */
  update(changes: Partial<Record<SecretName, string | null>>): Promise<void> {
    const run = this.queue.then(() => this.withLock(() => this.applyChanges(changes)))
    this.queue = run.catch(() => undefined)
    return run
  }

  private async applyChanges(changes: Partial<Record<SecretName, string | null>>): Promise<void> {
    let current: SecretFile
    try {
      current = await this.read()
      for (const name of Object.keys(current.entries) as SecretName[]) {
        if (!(name in changes)) await this.get(name)
      }
    } catch (thrown) {
      if (!(thrown instanceof WmsError && thrown.code === 'secrets/unreadable')) throw thrown
      await rename(this.file, `${this.file}.unreadable-${String(Date.now())}`)
      current = { version: 1, kind: this.cipher.kind, entries: {} }
    }
    const entries = new Map(Object.entries(current.entries) as [SecretName, string][])
    for (const [name, value] of Object.entries(changes) as [SecretName, string | null | undefined][]) {
      if (value === undefined) continue
      if (value === null) {
        entries.delete(name)
      } else {
        this.onSecret(value)
        entries.set(name, (await this.cipher.encrypt(name, value)).toString('base64'))
      }
    }
    await this.write({ version: 1, kind: this.cipher.kind, entries: Object.fromEntries(entries) })
  }

  private async read(): Promise<SecretFile> {
    let text: string
    try {
      await this.assertNotLink(this.file)
      text = await readFile(this.file, { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW })
    } catch (thrown) {
      if ((thrown as NodeJS.ErrnoException).code === 'ENOENT')
        return { version: 1, kind: this.cipher.kind, entries: {} }
      throw thrown
    }
    const parsed = parseSecretFile(text)
    if (parsed === undefined) {
      throw new WmsError(
        'secrets/unreadable',
        `The secret store ${this.file} is damaged (not the JSON this app writes).`,
        {
          hint: 'Sign in again in Settings: saving a secret starts a new store (the damaged one is kept aside).',
        },
      )
    }
    if (parsed.kind !== this.cipher.kind) {
      throw new WmsError(
        'secrets/unreadable',
        `The secret store ${this.file} was written by the ${parsed.kind === 'safe-storage' ? 'desktop app (OS keychain)' : 'web host (key file)'}, which this host cannot decrypt.`,
        { hint: 'Sign in again here, or use the host that stored them.' },
      )
    }
    return parsed
  }

  private async write(content: SecretFile): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 })
    await this.assertNotLink(this.file)
    const temp = `${this.file}.${randomBytes(6).toString('hex')}.tmp`
    const handle = await open(temp, 'wx', 0o600)
    try {
      await handle.writeFile(`${JSON.stringify(content, null, 2)}\n`)
      await handle.sync()
    } finally {
      await handle.close()
    }
    try {
      await rename(temp, this.file)
    } catch (thrown) {
      await rm(temp, { force: true })
      throw thrown
    }
  }

  private async assertNotLink(file: string): Promise<void> {
    const stats = await lstat(file).catch((thrown: unknown) => {
      if ((thrown as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw thrown
    })
    if (stats !== undefined && !stats.isFile()) {
      throw new WmsError(
        'secrets/unavailable',
        `The secret store ${file} is ${stats.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}; refusing to use it.`,
        { hint: `Remove ${file}, then sign in again.` },
      )
    }
  }

  // A lock file made with O_EXCL: one writer at a time across processes. A holder that died leaves it behind; one
  // older than LOCK_STALE_MS is taken over (a write takes milliseconds).
  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const lock = `${this.file}.lock`
    await mkdir(path.dirname(lock), { recursive: true, mode: 0o700 })
    const started = Date.now()
    for (;;) {
      try {
        const handle = await open(lock, 'wx', 0o600)
        await handle.writeFile(String(process.pid))
        await handle.close()
        break
      } catch (thrown) {
        if ((thrown as NodeJS.ErrnoException).code !== 'EEXIST') throw thrown
        const age = await lstat(lock).then(
          (stats) => Date.now() - stats.mtimeMs,
          () => 0,
        )
        if (age > LOCK_STALE_MS) {
          await rm(lock, { force: true })
          continue
        }
        if (Date.now() - started > LOCK_WAIT_MS) {
          throw new WmsError('secrets/unavailable', `The secret store is locked by another process (${lock}).`, {
            hint: 'Another WMS Studio window is saving secrets; try again. If none is open, delete the lock file.',
            retryable: true,
          })
        }
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
    try {
      return await fn()
    } finally {
      await rm(lock, { force: true })
    }
  }
}

function parseSecretFile(text: string): SecretFile | undefined {
  try {
    const json = JSON.parse(text) as { version?: unknown; kind?: unknown; entries?: unknown }
    if (json.version !== 1 || (json.kind !== 'safe-storage' && json.kind !== 'encrypted-file')) return undefined
    if (typeof json.entries !== 'object' || json.entries === null) return undefined
    for (const value of Object.values(json.entries)) if (typeof value !== 'string') return undefined
    return json as SecretFile
  } catch {
    return undefined
  }
}
