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
  /** Tells the staging area these pairs changed (their verdicts are stale: a running QA pass is cancelled). */
  changed: (ids: readonly string[]) => void
}

/** Applies the safe fixes to pairs as new revisions; the originals stay in the staging area. */
export async function applyPairFixes(
  context: PairEditContext,
  ids: readonly string[],
): Promise<{ fixed: number; unchanged: number }> {
  const wanted = new Set(ids)
  const fixedIds: string[] = []
  let unchanged = 0
  for (const input of context.inputs().filter((pair) => wanted.has(pair.sampleId))) {
    const files = await context.fix(input)
    if (files.length === 0) {
      unchanged += 1
      continue
    }
    for (const file of files) await context.store.recordFix(file.relpath, file.bytes, file.fixes, file.newRelpath)
    fixedIds.push(input.sampleId)
  }
  if (fixedIds.length > 0) context.changed(fixedIds)
  return { fixed: fixedIds.length, unchanged }
}

/** Replaces one file of a pair with new bytes as its next revision, keeping its dataset name. */
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
