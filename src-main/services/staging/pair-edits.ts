import { WmsError } from '@wms/shared/errors'
import type { StagedPair } from '@wms/shared/staging/staging-types'
import type { PairFixer, QaPairInput } from './qa-checker.js'
import type { StagingStore } from './staging-store.js'

/** What the edits need from the staging area. */
export interface PairEditContext {
  store: StagingStore
  fix: PairFixer
  /** The staged pairs as QA inputs. */
  inputs: () => QaPairInput[]
  pairs: () => StagedPair[]
  /**
   * Tells the staging area these pairs changed. A user's edit cancels a running QA pass (its verdicts are stale);
   * the fixes on add do not (the revision bump already makes the old verdicts stale, and a drop of a thousand
   * pairs would otherwise never finish its first pass).
   */
  changed: (ids: readonly string[], options?: { cancelRunning: boolean }) => void
}

/** What a fix did to one pair, or why it did nothing. */
export interface PairFixOutcome {
  id: string
  /** The actions, in order (`re-encoded JPEG as PNG`, `stripped metadata`, …); empty when nothing changed. */
  did: string[]
  skipped?: string
}

const plural = (count: number, one: string): string => `${String(count)} ${one}${count === 1 ? '' : 's'}`

/**
 * Applies the safe fixes to pairs as new revisions; the originals stay in the staging area until the pairs are
 * submitted. A user's fix can be undone (one undo for the whole batch); the fixes on add (`auto`) are not put on
 * the undo stack, and are recorded as tried so they never run twice on the same files.
 */
export async function applyPairFixes(
  context: PairEditContext,
  ids: readonly string[],
  options: { auto?: boolean } = {},
): Promise<{ fixed: number; unchanged: number; results: PairFixOutcome[] }> {
  const wanted = new Set(ids)
  const inputs = context.inputs().filter((pair) => wanted.has(pair.sampleId))
  const auto = options.auto === true
  if (!auto && inputs.length > 0) {
    const [first] = inputs
    const label =
      inputs.length === 1 && first !== undefined ? `Fixed ${first.sampleId}` : `Fixed ${plural(inputs.length, 'pair')}`
    await context.store.rememberForUndo(
      label,
      inputs.map((pair) => pair.sampleId),
    )
  }
  const fixedIds: string[] = []
  const results: PairFixOutcome[] = []
  for (const input of inputs) {
    const { files, skipped } = await context.fix(input)
    if (auto) await context.store.markAutoFixTried(input.sampleId)
    const did = [...new Set(files.flatMap((file) => file.fixes))]
    results.push(skipped === undefined ? { id: input.sampleId, did } : { id: input.sampleId, did, skipped })
    if (files.length === 0) continue
    for (const file of files) {
      await context.store.recordFix(file.relpath, file.bytes, file.fixes, file.newRelpath, { auto })
    }
    fixedIds.push(input.sampleId)
  }
  if (fixedIds.length > 0) context.changed(fixedIds, { cancelRunning: !auto })
  return { fixed: fixedIds.length, unchanged: inputs.length - fixedIds.length, results }
}

/** Replaces one file of a pair with new bytes as its next revision, keeping its dataset name (can be undone). */
export async function replacePairFile(
  context: PairEditContext,
  id: string,
  role: 'image' | 'mask',
  file: { path: string; bytes: Uint8Array },
): Promise<{ relpath: string }> {
  const pair = context.pairs().find((candidate) => candidate.id === id)
  const current = role === 'image' ? pair?.image : pair?.mask
  if (pair === undefined || current === null || current === undefined) {
    throw new WmsError('fs/not-found', `No staged ${role} for ${id}.`, { hint: 'Refresh the list and try again.' })
  }
  const name = file.path.split(/[\\/]/).at(-1) ?? file.path
  const relpath = await context.store.replaceFile(current.relpath, name, file.bytes)
  context.changed([id])
  return { relpath }
}

/** Marks a staged pair as a deliberate replacement of the dataset's pair with the same name (or not). */
export async function setPairReplacement(context: PairEditContext, id: string, replacement: boolean): Promise<void> {
  if (!context.pairs().some((pair) => pair.id === id)) {
    throw new WmsError('fs/not-found', `No staged pair ${id}.`, { hint: 'Refresh the list and try again.' })
  }
  await context.store.setReplacement(id, replacement)
  context.changed([id])
}
