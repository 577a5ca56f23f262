import { createHash } from 'node:crypto'
import { chmod, lstat, writeFile } from 'node:fs/promises'

/** Folders of the staging area: the user's alone (the photos carry GPS positions). */
export const DIR_MODE = 0o700

/** Files of the staging area: readable and writable by the user only. */
export const FILE_MODE = 0o600

/**
 * Writes a new private file. `wx` (O_EXCL): the temp name is new, so nothing — not even a planted symlink — is
 * followed; the mode is 0600 whatever the umask, since a umask only ever removes bits.
 */
export async function writePrivate(file: string, data: Uint8Array | string): Promise<void> {
  await writeFile(file, data, { flag: 'wx', mode: FILE_MODE })
}

/** Takes group and other permissions off a regular file an older version (or another umask) left open. */
export async function closeToOthers(file: string): Promise<void> {
  const stats = await lstat(file)
  if (stats.isFile() && (stats.mode & 0o077) !== 0) await chmod(file, FILE_MODE)
}

/** MD5 of bytes (hex): the staging area's content address, the same hash QA and DVC use. */
export function md5Of(bytes: Uint8Array | string): string {
  return createHash('md5').update(bytes).digest('hex')
}
