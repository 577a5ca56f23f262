import type { PairingProblem } from '@wms/shared/dataset/pairing'
import type { StagedProblem } from '@wms/shared/staging/staging-types'
import type { StagingDeps } from '../services/app-services.js'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { QaChecker, QaPairInput, QaPairVerdict } from '../services/staging/qa-checker.js'

/**
 * Stand-ins for the QA engine in service tests (the real engine has its own tests and runs in the e2e tests):
 * pairs whose id contains "bad" get a corrupt-file error, "warn" a lossy-mask warning that a fix removes.
 */
export function fakeQa(): QaChecker & { runs: number } {
  const checker = {
    runs: 0,
    run: async (
      { pairs }: { pairs: QaPairInput[] },
      { signal, onPair }: { signal: AbortSignal; onPair: (verdict: QaPairVerdict) => void },
    ) => {
      checker.runs += 1
      const verdicts: QaPairVerdict[] = []
      for (const pair of pairs) {
        await new Promise((resolve) => setTimeout(resolve, 1))
        if (signal.aborted) throw new Error('aborted')
        const id = pair.sampleId
        // A "warn" pair's warning is its JPEG mask: gone once the fix has stored it as PNG.
        const warn = id.includes('warn') && pair.mask.relpath.endsWith('.jpg')
        const severity = id.includes('bad') ? 'error' : warn ? 'warning' : undefined
        // Like the real engine, the verdict says which bytes it read.
        const seen = { image: await md5File(pair.image.path), mask: await md5File(pair.mask.path) }
        const verdict: QaPairVerdict = {
          id,
          seen,
          issues:
            severity === undefined
              ? []
              : [
                  {
                    ruleId: severity === 'error' ? 'file/corrupt' : 'mask/lossy',
                    severity,
                    sampleId: id,
                    message: 'm',
                    details: {},
                    fixable: severity === 'warning',
                  },
                ],
          width: 4,
          height: 3,
          foreground: 0.02,
        }
        onPair(verdict)
        verdicts.push(verdict)
      }
      return verdicts
    },
    dispose: () => Promise.resolve(),
  }
  return checker
}

/** A pairing problem as a staged problem, without the QA engine's wording. */
export const describeProblem = (problem: PairingProblem): StagedProblem => ({
  id: problem.stem,
  files: problem.files,
  issue: {
    ruleId: `pairing/${problem.kind}`,
    severity: 'error',
    sampleId: problem.stem,
    message: problem.kind,
    details: {},
    fixable: false,
  },
})

/** Fake QA, a fix that turns a "warn" pair's JPEG mask into PNG bytes, and plain pairing messages. */
export function fakeStagingDeps(qa: QaChecker = fakeQa()): StagingDeps {
  return {
    qa,
    fix: (pair) =>
      Promise.resolve(
        pair.sampleId.includes('bad')
          ? { files: [], skipped: 'errors a fix cannot remove (file/corrupt)' }
          : !pair.sampleId.includes('warn') || !pair.mask.relpath.endsWith('.jpg')
            ? { files: [] }
            : {
                files: [
                  {
                    relpath: pair.mask.relpath,
                    newRelpath: pair.mask.relpath.replace(/\.jpg$/, '.png'),
                    bytes: Buffer.from(`fixed ${pair.sampleId}`),
                    fixes: ['binarise-mask'],
                  },
                ],
              },
      ),
    describePairingProblem: describeProblem,
  }
}

async function md5File(file: string): Promise<string> {
  return createHash('md5')
    .update(await readFile(file))
    .digest('hex')
}
