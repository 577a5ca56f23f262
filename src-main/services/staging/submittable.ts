import { findingSpec } from '@wms/shared/staging/staging-rules'
import type { StagedPair } from '@wms/shared/staging/staging-types'
import type { QaPairVerdict } from './qa-checker.js'
import type { FrozenPair, StoredFile } from './staging-store.js'

/** The staged set as a submission would freeze it, and what keeps it from being submitted. */
export interface Submittable {
  /** The pairs, their revisions, and each file's bytes by hash: exactly what would be committed. */
  frozen: FrozenPair[]
  /** Reasons the submission is refused; empty when it may go. */
  blockers: string[]
  /** Each pair that cannot go as it is, with the reason (left staged by "submit the others"). */
  blocked: { id: string; reason: string }[]
  /** Pairs that can go as they are (what "submit the others" would push). */
  ready: number
  /** Pairs whose photo still records a GPS location. */
  gps: string[]
}

/** What {@link freezeSubmittable} reads, all from one instant of the staging area. */
export interface SubmittableInput {
  pairs: readonly StagedPair[]
  /** The hashes QA read for a pair's current revision (undefined when it has no current verdict). */
  seen: (id: string) => QaPairVerdict['seen'] | undefined
  stored: (relpath: string) => StoredFile | undefined
}

/** How a submission treats pairs that cannot go as they are. */
export interface SubmittableOptions {
  /** Freeze the pairs that are ready and leave the others staged, instead of refusing. */
  onlyReady?: boolean
  /** Let photos that record a GPS location go (otherwise they block: privacy by default). */
  includeGps?: boolean
}

const plural = (count: number, one: string, many: string): string => `${String(count)} ${count === 1 ? one : many}`

/** Why one pair cannot go as it is, or undefined when it can. */
function blockReason(pair: StagedPair, includeGps: boolean): string | undefined {
  if (pair.qaError !== undefined) return `QA could not check it (${pair.qaError})`
  if (pair.status === 'pending' || pair.status === 'checking') return 'QA is still checking it'
  const error = pair.issues.find((issue) => issue.severity === 'error')
  if (error !== undefined) return findingSpec(error.ruleId).title
  if (!includeGps && pair.issues.some((issue) => issue.ruleId === 'privacy/gps'))
    return 'its photo records a GPS location'
  return undefined
}

/**
 * Freezes the staged pairs for a submission, from one snapshot (pure and synchronous, so nothing can change between
 * the check and the freeze): a pair goes only when QA passed its current revision and read exactly the bytes that
 * are staged for it now, and — unless the user allows it — its photo records no GPS location. The blockers are
 * computed on the same snapshot; with `onlyReady` the pairs that cannot go stay staged instead of blocking.
 */
export function freezeSubmittable(input: SubmittableInput, options: SubmittableOptions = {}): Submittable {
  const blockers: string[] = []
  const { pairs } = input
  const includeGps = options.includeGps === true
  const blocked: { id: string; reason: string }[] = []
  const frozen: FrozenPair[] = []
  let unseen = 0
  for (const pair of pairs) {
    const reason = blockReason(pair, includeGps)
    if (reason !== undefined) {
      blocked.push({ id: pair.id, reason })
      continue
    }
    const files = frozenFiles(pair, input)
    if (files === undefined) unseen += 1
    else frozen.push({ id: pair.id, revision: pair.revision, files })
  }
  const gps = pairs.filter((pair) => pair.issues.some((issue) => issue.ruleId === 'privacy/gps')).map((pair) => pair.id)
  if (pairs.length === 0) blockers.push('Nothing is staged: add image/mask pairs first.')
  else if (options.onlyReady === true) {
    if (frozen.length === 0) blockers.push('No pair is ready to submit yet.')
  } else {
    blockers.push(...blockerMessages(pairs, blocked, includeGps))
  }
  if (unseen > 0 && (blocked.length === 0 || options.onlyReady === true))
    blockers.push(`${plural(unseen, 'pair was', 'pairs were')} not checked by QA as staged now: wait for QA.`)
  return { frozen, blockers, blocked, ready: frozen.length, gps }
}

function blockerMessages(
  pairs: readonly StagedPair[],
  blocked: readonly { id: string; reason: string }[],
  includeGps: boolean,
): string[] {
  const blockers: string[] = []
  const errors = pairs.filter((pair) => pair.status === 'error' && pair.qaError === undefined).length
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
  const located = blocked.filter((pair) => pair.reason.includes('GPS')).length
  if (!includeGps && located > 0)
    blockers.push(
      `${plural(located, 'photo records', 'photos record')} where it was taken (GPS): strip the location with Fix, or allow it.`,
    )
  return blockers
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
