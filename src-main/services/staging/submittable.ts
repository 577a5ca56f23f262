import type { StagedPair } from '@wms/shared/staging/staging-types'
import type { QaPairVerdict } from './qa-checker.js'
import type { FrozenPair, StoredFile } from './staging-store.js'

/** The staged set as a submission would freeze it, and what keeps it from being submitted. */
export interface Submittable {
  /** The pairs, their revisions, and each file's bytes by hash: exactly what would be committed. */
  frozen: FrozenPair[]
  /** Reasons the submission is refused; empty when it may go. */
  blockers: string[]
}

/** What {@link freezeSubmittable} reads, all from one instant of the staging area. */
export interface SubmittableInput {
  pairs: readonly StagedPair[]
  /** The hashes QA read for a pair's current revision (undefined when it has no current verdict). */
  seen: (id: string) => QaPairVerdict['seen'] | undefined
  stored: (relpath: string) => StoredFile | undefined
}

const plural = (count: number, one: string, many: string): string => `${String(count)} ${count === 1 ? one : many}`

/**
 * Freezes the staged pairs for a submission, from one snapshot (pure and synchronous, so nothing can change between
 * the check and the freeze): a pair goes only when QA passed its current revision and read exactly the bytes that
 * are staged for it now. The blockers are computed on the same snapshot.
 */
export function freezeSubmittable(input: SubmittableInput): Submittable {
  const blockers: string[] = []
  const { pairs } = input
  if (pairs.length === 0) blockers.push('Nothing is staged: add image/mask pairs first.')
  const errors = pairs.filter((pair) => pair.status === 'error').length
  if (errors > 0)
    blockers.push(
      `${plural(errors, 'pair has', 'pairs have')} QA errors: fix or remove ${errors === 1 ? 'it' : 'them'} first.`,
    )
  const failed = pairs.filter((pair) => pair.qaError !== undefined)
  if (failed.length > 0)
    blockers.push(
      `QA could not check ${plural(failed.length, 'pair', 'pairs')} (${failed[0]?.qaError ?? ''}): retry QA first.`,
    )
  const waiting = pairs.filter(
    (pair) => (pair.status === 'pending' || pair.status === 'checking') && pair.qaError === undefined,
  ).length
  if (waiting > 0) blockers.push(`QA is still checking ${plural(waiting, 'pair', 'pairs')}.`)
  const frozen: FrozenPair[] = []
  let unseen = 0
  for (const pair of pairs) {
    const files = frozenFiles(pair, input)
    if (files === undefined) unseen += 1
    else frozen.push({ id: pair.id, revision: pair.revision, files })
  }
  if (unseen > 0 && errors + waiting + failed.length === 0)
    blockers.push(`${plural(unseen, 'pair was', 'pairs were')} not checked by QA as staged now: wait for QA.`)
  return { frozen, blockers }
}

// The pair's files as staged, when QA's verdict read exactly these bytes; undefined otherwise.
function frozenFiles(pair: StagedPair, input: SubmittableInput): FrozenPair['files'] | undefined {
  if (pair.image === null || pair.mask === null) return undefined
  if (pair.status !== 'ok' && pair.status !== 'warning') return undefined
  const seen = input.seen(pair.id)
  const files: FrozenPair['files'] = []
  for (const [role, file] of [
    ['image', pair.image],
    ['mask', pair.mask],
  ] as const) {
    const stored = input.stored(file.relpath)
    if (stored === undefined || seen?.[role] !== stored.md5) return undefined
    files.push({ relpath: file.relpath, md5: stored.md5, bytes: stored.bytes, blob: stored.blob })
  }
  return files
}
