import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { lstat, mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import type { z } from 'zod'
import { WmsError } from '@wms/shared/errors'

/**
 * A small JSON settings file of the user-data folder (accounts without their secrets, recent workspaces): 0600,
 * written whole through a temp file and a rename, never through a symlink. A missing or unreadable file reads as
 * `fallback` (settings are re-entered; nothing here is irreplaceable — secrets live in the secret store).
 */
export class PrivateJsonFile<T> {
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    readonly file: string,
    private readonly schema: z.ZodType<T>,
    private readonly fallback: () => T,
  ) {}

  /** The stored value, or the fallback. */
  async read(): Promise<T> {
    try {
      const text = await readFile(this.file, { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW })
      const parsed = this.schema.safeParse(JSON.parse(text))
      return parsed.success ? parsed.data : this.fallback()
    } catch {
      return this.fallback()
    }
  }

  /** Reads, changes and writes the value, one change at a time. */
  update(change: (current: T) => T): Promise<T> {
    const run = this.queue.then(async () => {
      const next = change(await this.read())
      await this.write(next)
      return next
    })
    this.queue = run.catch(() => undefined)
    return run
  }

  private async write(value: T): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 })
    const stats = await lstat(this.file).catch(() => undefined)
    if (stats !== undefined && !stats.isFile()) {
      throw new WmsError('fs/access-denied', `${this.file} is not a regular file; refusing to write through it.`, {
        hint: `Remove ${this.file} and save the settings again.`,
      })
    }
    const temp = `${this.file}.${randomBytes(6).toString('hex')}.tmp`
    const handle = await open(temp, 'wx', 0o600)
    try {
      await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, this.file).catch(async (thrown: unknown) => {
      await rm(temp, { force: true })
      throw thrown
    })
  }
}
