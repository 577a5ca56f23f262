import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { QaPolicy } from '@wms/shared/config/qa-policy'
import { parseReplacements, REPLACEMENTS_FILE } from '@wms/shared/dvc/replacements'
import { splitName } from '@wms/shared/dataset/pairing'
import type { DatasetIndexEntry } from '@wms/shared/qa/dataset-index'
import type { QaReport } from '@wms/shared/qa/report'
import { discoverPairs } from '../qa/discover-pairs.js'
import { existingDatasetIndex } from '../qa/existing-dataset.js'
import { runQa } from '../qa/run-qa.js'
import { extractFiles } from './data-commit.js'
import type { HookRepo } from './hook-git.js'
import type { DataPaths, NewDataFile } from './push-plan.js'

/**
 * QA of the pushed pairs, on the bytes that were committed (not the working tree, which may differ or belong to
 * another branch): they are written to a scratch folder and go through the same engine and rules as the app and
 * CI, compared with the workspace's current dataset for duplicates and name clashes when it can be read.
 */

/** The QA result of a push, and what could not be compared. */
export interface HookQa {
  report: QaReport
  /** Set when the existing dataset could not be read (the comparison then happens in CI). */
  againstNote?: string
}

/** Runs QA over the new files of a push. */
export async function checkPushedPairs(
  repo: HookRepo,
  files: readonly NewDataFile[],
  paths: DataPaths,
  options: { workspace: string; policy: Partial<QaPolicy> },
): Promise<HookQa> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'wms-pre-push-qa-'))
  try {
    await extractFiles(repo, files, scratch)
    const datasetDir = path.join(scratch, ...paths.root.split('/').filter((part) => part !== ''))
    const discovered = await discoverPairs([datasetDir])
    const replacements = await declaredReplacements(datasetDir)
    const against = await readAgainst(options.workspace, options.policy)
    const report = await runQa({
      pairs: discovered.pairs,
      pairingProblems: discovered.problems,
      unpairedFiles: discovered.unpairedFiles,
      inputs: [paths.root === '' ? '.' : paths.root],
      policy: options.policy,
      replacements,
      ...(against.entries === undefined ? {} : { against: against.entries }),
    })
    return against.note === undefined ? { report } : { report, againstNote: against.note }
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

async function declaredReplacements(datasetDir: string): Promise<string[]> {
  let text: string
  try {
    text = await readFile(path.join(datasetDir, REPLACEMENTS_FILE), 'utf8')
  } catch {
    return []
  }
  // Invalid declarations throw `dataset/invalid-replacements` with every problem listed.
  return parseReplacements(text, REPLACEMENTS_FILE).map(
    (replacement) => splitName(replacement.path.split('/').at(-1) ?? '').stem,
  )
}

async function readAgainst(
  workspace: string,
  policy: Partial<QaPolicy>,
): Promise<{ entries?: DatasetIndexEntry[]; note?: string }> {
  try {
    const existing = await existingDatasetIndex(workspace, { policy })
    return existing.source === 'none' ? {} : { entries: existing.entries }
  } catch (thrown) {
    return {
      note: `not compared with the existing dataset (${(thrown as Error).message.split('\n')[0] ?? ''}); CI compares them`,
    }
  }
}
