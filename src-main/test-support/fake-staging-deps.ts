import type { PairingProblem } from '@wms/shared/dataset/pairing'
import type { StagedProblem } from '@wms/shared/staging/staging-types'
import type { StagingDeps } from '../services/app-services.js'
import type { QaChecker, QaPairVerdict } from '../services/staging/qa-checker.js'

/**
 * Stand-ins for the QA engine in service tests (the real engine has its own tests and runs in the e2e tests):
 * pairs whose id contains "bad" get a corrupt-file error, "warn" a lossy-mask warning that a fix removes.
 */
export function fakeQa(): QaChecker & { runs: number } {
  const checker = {
    runs: 0,
    run: async (
      { pairs }: { pairs: { id: string }[] },
      { signal, onPair }: { signal: AbortSignal; onPair: (verdict: QaPairVerdict) => void },
    ) => {
      checker.runs += 1
      const verdicts: QaPairVerdict[] = []
      for (const pair of pairs) {
        await new Promise((resolve) => setTimeout(resolve, 1))
        if (signal.aborted) throw new Error('aborted')
        const severity = pair.id.includes('bad') ? 'error' : pair.id.includes('warn') ? 'warning' : undefined
        const verdict: QaPairVerdict = {
          id: pair.id,
          issues:
            severity === undefined
              ? []
              : [
                  {
                    ruleId: severity === 'error' ? 'file/corrupt' : 'mask/lossy',
                    severity,
                    sampleId: pair.id,
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
        pair.mask === null || !pair.id.includes('warn')
          ? []
          : [
              {
                relpath: pair.mask.relpath,
                newRelpath: pair.mask.relpath.replace(/\.jpg$/, '.png'),
                bytes: Buffer.from('fixed'),
                fixes: ['binarise-mask'],
              },
            ],
      ),
    describePairingProblem: describeProblem,
  }
}
