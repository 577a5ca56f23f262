/**
 * Content addresses of DVC 3 objects and where they live in a remote.
 *
 * A file is named by the MD5 of its bytes (`0123…ef`, 32 lower-case hex); a directory by the MD5 of its `.dir`
 * manifest plus the `.dir` suffix. Both live under `files/md5/<first 2 hex>/<remaining 30 hex>[.dir]` in an S3
 * prefix or a local remote directory, so what `dvc push` wrote we can read and what we write `dvc pull` reads.
 */

/** The MD5 of a file's bytes, or of a `.dir` manifest followed by `.dir`. */
export type ObjectHash = string

const MD5 = /^[0-9a-f]{32}$/
const OBJECT_HASH = /^[0-9a-f]{32}(\.dir)?$/

/** The suffix DVC appends to a directory's hash. */
export const DIR_SUFFIX = '.dir'

/** The folder of a remote (or cache) that holds DVC 3 objects hashed with MD5. */
export const OBJECT_ROOT = 'files/md5'

/** True for a 32-digit lower-case hex MD5. */
export function isMd5(value: string): boolean {
  return MD5.test(value)
}

/** True for a file hash or a directory hash (`<md5>.dir`). */
export function isObjectHash(value: string): boolean {
  return OBJECT_HASH.test(value)
}

/** True for a directory hash (`<md5>.dir`). */
export function isDirHash(value: string): boolean {
  return OBJECT_HASH.test(value) && value.endsWith(DIR_SUFFIX)
}

/** The MD5 an object's bytes must have: the hash itself, without `.dir`. */
export function contentMd5(hash: ObjectHash): string {
  return hash.endsWith(DIR_SUFFIX) ? hash.slice(0, -DIR_SUFFIX.length) : hash
}

/**
 * The key of an object relative to the remote's root: `files/md5/ab/cdef…[.dir]`.
 * Throws on anything that is not an object hash, so a crafted manifest can never name a path of its choosing.
 */
export function remoteObjectKey(hash: ObjectHash): string {
  if (!isObjectHash(hash)) throw new RangeError(`Not a DVC object hash: ${JSON.stringify(hash)}`)
  return `${OBJECT_ROOT}/${hash.slice(0, 2)}/${hash.slice(2)}`
}

/** The object hash a remote key names, or `undefined` for any other key. */
export function objectHashFromKey(key: string): ObjectHash | undefined {
  const match = /(?:^|\/)files\/md5\/([0-9a-f]{2})\/([0-9a-f]{30}(?:\.dir)?)$/.exec(key)
  return match === null ? undefined : `${match[1] ?? ''}${match[2] ?? ''}`
}
