import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { pairingIssues } from '@wms/shared/qa/pairing-rules'
import type { QaPolicy } from '@wms/shared/config/qa-policy'
import { applyFixes } from 'training-runner'
import type { StagingDeps } from '../app-services.js'
import type { PairFixResult, QaPairInput, StagedFix } from './qa-checker.js'
import { createWorkerQaChecker } from './worker-qa-checker.js'

/** Where the staging area's QA runs and caches. */
export interface StagingQaOptions {
  workerPath: string
  cacheDir: string
  policy: QaPolicy
  workspaceRoot: string
  datasetRoot: string
}

/**
 * The staging area's QA, fixes and pairing messages, all from the runner's QA engine — the same rules the git
 * hook and CI run.
 */
export function createStagingQa(options: StagingQaOptions): StagingDeps {
  return {
    qa: createWorkerQaChecker({
      workerPath: options.workerPath,
      workspaceRoot: options.workspaceRoot,
      datasetRoot: options.datasetRoot,
      cacheDir: options.cacheDir,
      policy: options.policy,
    }),
    fix: (pair) => fixPair(pair, options),
    describePairingProblem: (problem) => {
      const [issue] = pairingIssues([problem])
      if (issue === undefined) throw new Error(`no pairing issue for ${problem.kind}`)
      return { id: problem.stem, files: problem.files, issue }
    },
  }
}

async function fixPair(pair: QaPairInput, options: StagingQaOptions): Promise<PairFixResult> {
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'wms-fix-'))
  try {
    const result = await applyFixes(pair, outDir, { policy: options.policy, cacheDir: options.cacheDir })
    const fixed: StagedFix[] = []
    for (const written of result.written) {
      if (written.actions.length === 1 && written.actions[0] === 'copied unchanged') continue
      const relpath = written.from === pair.image.path ? pair.image.relpath : pair.mask.relpath
      const newRelpath = path.relative(outDir, written.to).split(path.sep).join('/')
      fixed.push({ relpath, newRelpath, bytes: await readFile(written.to), fixes: written.actions })
    }
    return result.skipped === undefined ? { files: fixed } : { files: fixed, skipped: result.skipped }
  } finally {
    await rm(outDir, { recursive: true, force: true })
  }
}
