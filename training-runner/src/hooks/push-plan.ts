/**
 * What a push contains, from what git tells a pre-push hook (pure: text in, values out).
 *
 * git writes one line per ref to stdin: `<local ref> <local sha> <remote ref> <remote sha>`; a zero sha means
 * "nothing" (a deletion on the local side, a new ref on the remote side).
 */

/** One ref the push updates. */
export interface PushUpdate {
  localRef: string
  localSha: string
  remoteRef: string
  remoteSha: string
}

/** The branch data may not reach directly. */
export const MAIN_REF = 'refs/heads/main'

/** True for git's all-zero object name. */
export const isZeroSha = (sha: string): boolean => /^0+$/.test(sha)

/** Parses the hook's stdin; malformed lines are ignored (git never writes them). */
export function parsePushLines(text: string): PushUpdate[] {
  const updates: PushUpdate[] = []
  for (const line of text.split('\n')) {
    const parts = line.trim().split(' ')
    if (parts.length !== 4) continue
    const [localRef = '', localSha = '', remoteRef = '', remoteSha = ''] = parts
    updates.push({ localRef, localSha, remoteRef, remoteSha })
  }
  return updates
}

/** The update of main in this push, if it sends something there (a deletion of main is not ours to judge). */
export function mainUpdate(updates: readonly PushUpdate[]): PushUpdate | undefined {
  return updates.find((update) => update.remoteRef === MAIN_REF && !isZeroSha(update.localSha))
}

/** The files of a dataset that travel on data branches instead of main. */
export interface DataPaths {
  root: string
  /** Pathspecs for git (literal): the raw folders and the replacements declaration. */
  pathspecs: string[]
}

/** Where the raw data of a dataset rooted at `root` lives (`images/`, `masks/`, `replacements.yaml`). */
export function dataPaths(root: string): DataPaths {
  const clean = root
    .replace(/\\/g, '/')
    .replace(/^\.\/+/, '')
    .replace(/\/+$/, '')
  const prefix = clean === '' || clean === '.' ? '' : `${clean}/`
  return { root: clean, pathspecs: [`${prefix}images`, `${prefix}masks`, `${prefix}replacements.yaml`] }
}

/** True when `file` (repository-relative, `/`-separated) is raw data of the dataset. */
export function isDataPath(paths: DataPaths, file: string): boolean {
  return paths.pathspecs.some((spec) => file === spec || file.startsWith(`${spec}/`))
}

/** One line of `git diff --raw -z`. */
export interface RawChange {
  /** A, C, D, M, R, T (the score of R/C dropped). */
  status: string
  path: string
  /** The source path of a rename or copy. */
  from?: string
  mode: string
  blob: string
}

/** Parses `git diff --raw -z --no-abbrev` output. */
export function parseRawDiff(text: string): RawChange[] {
  const fields = text.split('\0')
  const changes: RawChange[] = []
  for (let index = 0; index < fields.length;) {
    const header = fields[index] ?? ''
    index += 1
    if (!header.startsWith(':')) continue
    const [, mode = '', , blob = '', statusField = ''] = header.slice(1).split(' ')
    const status = statusField.charAt(0)
    if (status === 'R' || status === 'C') {
      const from = fields[index] ?? ''
      const to = fields[index + 1] ?? ''
      index += 2
      changes.push({ status, path: to, from, mode, blob })
    } else {
      changes.push({ status, path: fields[index] ?? '', mode, blob })
      index += 1
    }
  }
  return changes
}

/** A new data file: where it goes and its blob in the local repository. */
export interface NewDataFile {
  path: string
  blob: string
  mode: string
}

/** What a push to main changes, sorted by what the hook does with it. */
export interface PushContent {
  /** Data files the push adds (they go to a data branch). */
  newData: NewDataFile[]
  /** Data files of main that the push deletes. */
  removed: string[]
  /** Data files of main that the push renames. */
  renamed: { from: string; to: string }[]
  /** Data files of main whose content or type the push changes. */
  changed: string[]
  /** Everything else the push changes (code, docs, `.dvc` files). */
  other: string[]
}

/** Sorts the net changes of a push (`git diff --raw` from the remote's main to the pushed commit). */
export function classifyChanges(changes: readonly RawChange[], paths: DataPaths): PushContent {
  const content: PushContent = { newData: [], removed: [], renamed: [], changed: [], other: [] }
  for (const change of changes) {
    const isData = isDataPath(paths, change.path)
    const fromData = change.from !== undefined && isDataPath(paths, change.from)
    if (change.status === 'R' && fromData) {
      content.renamed.push({ from: change.from ?? '', to: change.path })
      continue
    }
    if (change.status === 'R' && change.from !== undefined) content.other.push(change.from)
    if (!isData) {
      content.other.push(change.path)
    } else if (change.status === 'A' || change.status === 'C' || change.status === 'R') {
      content.newData.push({ path: change.path, blob: change.blob, mode: change.mode })
    } else if (change.status === 'D') {
      content.removed.push(change.path)
    } else {
      content.changed.push(change.path)
    }
  }
  return content
}

/** Data paths that commits of the push touch but whose net change is nothing (added, then removed again). */
export function transientDataPaths(touched: readonly string[], content: PushContent): string[] {
  const net = new Set([
    ...content.newData.map((file) => file.path),
    ...content.removed,
    ...content.changed,
    ...content.renamed.flatMap((rename) => [rename.from, rename.to]),
  ])
  return [...new Set(touched)].filter((file) => file !== '' && !net.has(file)).sort()
}
