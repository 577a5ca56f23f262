import { constants } from 'node:fs'
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { link, lstat, mkdir, open, readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'

/**
 * How secrets are encrypted at rest. Electron uses `safeStorage` (the OS keychain holds the key:
 * `src-main/electron/safe-storage-cipher.ts`); the web host, which has no keychain, uses {@link createKeyFileCipher}:
 * AES-256-GCM with a random key in a 0600 file of the app's user-data folder — never inside a workspace, which is a
 * git repository that gets pushed.
 */
export interface SecretCipher {
  readonly kind: 'safe-storage' | 'encrypted-file'
  /** For the user: where the key lives. */
  readonly description: string
  /** Ciphertext of `plain`, bound to `name` where the cipher can (moving a value to another name fails). */
  encrypt(name: string, plain: string): Promise<Buffer>
  /** The plain text; throws `secrets/unreadable` when the key is wrong or the bytes were changed. */
  decrypt(name: string, data: Buffer): Promise<string>
}

const KEY_BYTES = 32
const IV_BYTES = 12
const TAG_BYTES = 16
const FORMAT = 1

/** Name of the web host's key file in the user-data folder. */
export const KEY_FILE_NAME = 'secret-store.key'

/**
 * AES-256-GCM with the key in `keyFile` (created on first use: 32 random bytes, 0600, in a 0700 folder). A key file
 * that is a symlink, not a regular file, of the wrong size or readable by others is refused: the key is the only
 * thing standing between the secrets file and anyone who can read it.
 */
export async function createKeyFileCipher(keyFile: string): Promise<SecretCipher> {
  const key = await loadOrCreateKey(keyFile)
  return {
    kind: 'encrypted-file',
    description: `AES-256-GCM, key in ${keyFile} (readable by you only)`,
    encrypt: (name, plain) => {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      cipher.setAAD(Buffer.from(name, 'utf8'))
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return Promise.resolve(Buffer.concat([Buffer.from([FORMAT]), iv, cipher.getAuthTag(), body]))
    },
    decrypt: (name, data) => {
      if (data.length < 1 + IV_BYTES + TAG_BYTES || data[0] !== FORMAT) {
        return Promise.reject(unreadable(`the stored value of ${name} is not in a format this app wrote`))
      }
      const iv = data.subarray(1, 1 + IV_BYTES)
      const tag = data.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES)
      const decipher = createDecipheriv('aes-256-gcm', key, iv)
      decipher.setAAD(Buffer.from(name, 'utf8'))
      decipher.setAuthTag(tag)
      try {
        const plain = Buffer.concat([decipher.update(data.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()])
        return Promise.resolve(plain.toString('utf8'))
      } catch (thrown) {
        return Promise.reject(
          unreadable(
            `${name} cannot be decrypted with the key in ${keyFile}: the key changed or the file was altered`,
            {
              cause: thrown,
            },
          ),
        )
      }
    },
  }
}

function unreadable(message: string, options: { cause?: unknown } = {}): WmsError {
  return new WmsError('secrets/unreadable', `The stored secrets cannot be read: ${message}.`, {
    hint: 'Sign in again in Settings: saving a secret starts a new secret store (the unreadable one is kept aside).',
    ...options,
  })
}

async function loadOrCreateKey(keyFile: string): Promise<Buffer> {
  await mkdir(path.dirname(keyFile), { recursive: true, mode: 0o700 })
  const existing = await readKeyFile(keyFile)
  if (existing !== undefined) return existing
  const key = randomBytes(KEY_BYTES)
  // Written whole to a private temp file, then published with link(): the name appears with all 32 bytes or not at
  // all (a second process never reads half a key), and link() never follows or replaces what is at the name.
  const temp = `${keyFile}.${randomBytes(6).toString('hex')}.tmp`
  try {
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW, 0o600)
    try {
      await handle.writeFile(key)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await link(temp, keyFile)
    return key
  } catch (thrown) {
    // Another process published its key first: use theirs, so both read each other's secrets.
    if ((thrown as NodeJS.ErrnoException).code === 'EEXIST') {
      const raced = await readKeyFile(keyFile)
      if (raced !== undefined) return raced
    }
    throw new WmsError('secrets/unavailable', `Cannot create the secret key ${keyFile}: ${(thrown as Error).message}`, {
      hint: 'Check that the user-data folder is writable by you.',
      cause: thrown,
    })
  } finally {
    await rm(temp, { force: true })
  }
}

const O_NOFOLLOW = constants.O_NOFOLLOW

async function readKeyFile(keyFile: string): Promise<Buffer | undefined> {
  let stats
  try {
    stats = await lstat(keyFile)
  } catch (thrown) {
    if ((thrown as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw thrown
  }
  const refuse = (why: string, hint: string): never => {
    throw new WmsError('secrets/unavailable', `The secret key ${keyFile} ${why}.`, { hint })
  }
  if (stats.isSymbolicLink()) refuse('is a symbolic link', `Remove ${keyFile}; the app creates a new key.`)
  if (!stats.isFile()) refuse('is not a regular file', `Remove ${keyFile}; the app creates a new key.`)
  if ((stats.mode & 0o077) !== 0) {
    refuse(
      `can be read by other users (mode ${(stats.mode & 0o777).toString(8)})`,
      `Anyone who read it can decrypt your secrets: run \`chmod 600 ${keyFile}\`, then sign in again to replace the tokens.`,
    )
  }
  const key = await readFile(keyFile, { flag: constants.O_RDONLY | O_NOFOLLOW })
  if (key.length !== KEY_BYTES) refuse(`holds ${String(key.length)} bytes, not ${String(KEY_BYTES)}`, 'Remove it.')
  return key
}
