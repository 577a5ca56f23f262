import { WmsError, type ErrorCode } from '@wms/shared/errors'

interface SystemErrorShape {
  code: string
  path?: string
  dest?: string
  syscall?: string
}

interface Explanation {
  code: ErrorCode
  what: string
  hint: string
}

// Ordinary failures of the file system, worded for the person who can fix them; none of them is a bug.
const EXPLANATIONS: Record<string, Explanation> = {
  EACCES: {
    code: 'fs/access-denied',
    what: 'permission denied',
    hint: 'Check the permissions of that path, or choose a location you can write to.',
  },
  EPERM: {
    code: 'fs/access-denied',
    what: 'operation not permitted',
    hint: 'Check the permissions and attributes of that path, or choose another location.',
  },
  EROFS: {
    code: 'fs/access-denied',
    what: 'the file system is read-only',
    hint: 'Choose a location on a writable disk.',
  },
  ENOTDIR: {
    code: 'fs/io',
    what: 'a part of the path is a file, not a folder',
    hint: 'Check the path: one of its parents is a file.',
  },
  EISDIR: {
    code: 'fs/io',
    what: 'it is a folder where a file was expected',
    hint: 'Give a file name, not a folder.',
  },
  EEXIST: {
    code: 'fs/io',
    what: 'something already exists there',
    hint: 'Choose another name, or move the existing one away first.',
  },
  ENOTEMPTY: {
    code: 'fs/io',
    what: 'the folder is not empty',
    hint: 'Choose an empty or new folder.',
  },
  ENOSPC: {
    code: 'fs/io',
    what: 'no space left on the device',
    hint: 'Free some disk space (or choose another disk) and run the command again.',
  },
  EDQUOT: {
    code: 'fs/io',
    what: 'the disk quota is exhausted',
    hint: 'Free some space within your quota and run the command again.',
  },
  ENOENT: {
    code: 'fs/not-found',
    what: 'no such file or folder',
    hint: 'Check the path.',
  },
  ELOOP: {
    code: 'fs/io',
    what: 'too many levels of symbolic links',
    hint: 'Check the links along that path.',
  },
  EMFILE: {
    code: 'fs/io',
    what: 'too many open files',
    hint: 'Raise the open-file limit (ulimit -n) and run the command again.',
  },
  ENAMETOOLONG: {
    code: 'fs/io',
    what: 'the file name is too long',
    hint: 'Use a shorter path.',
  },
  EIO: {
    code: 'fs/io',
    what: 'an input/output error from the device',
    hint: 'Check the disk (or the network drive) and run the command again.',
  },
}

/**
 * An ordinary operating-system error (EACCES, ENOSPC, …) as a {@link WmsError} that names the path and says what to
 * do; `undefined` for anything else (which stays an unexpected error).
 */
export function explainSystemError(thrown: unknown): WmsError | undefined {
  if (!isSystemError(thrown)) return undefined
  const explanation = EXPLANATIONS[thrown.code]
  if (explanation === undefined) return undefined
  const target =
    thrown.path === undefined ? '' : ` ${thrown.path}${thrown.dest === undefined ? '' : ` → ${thrown.dest}`}`
  const action = thrown.syscall === undefined ? '' : ` (${thrown.syscall})`
  return new WmsError(explanation.code, `Cannot use${target}: ${explanation.what}${action}.`, {
    hint: explanation.hint,
    cause: thrown,
  })
}

function isSystemError(thrown: unknown): thrown is SystemErrorShape {
  if (!(thrown instanceof Error)) return false
  const code = (thrown as Partial<SystemErrorShape>).code
  return typeof code === 'string' && /^E[A-Z]+$/.test(code)
}
