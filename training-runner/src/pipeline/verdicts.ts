import type { PipelineRunStep, PipelineVerdict } from '@wms/shared/pipeline/run-record'
import { toAppError } from '@wms/shared/errors'

/**
 * How a step ends the pipeline early with a verdict (a branch refused, a model not better) instead of an error:
 * it throws a {@link PipelineStop}. Errors of any other kind become a `failed` verdict with the error's message and
 * hint, and `--resume` can finish the run once the cause is fixed.
 */
export class PipelineStop extends Error {
  /** What the step produced before it stopped (kept in the record, e.g. the QA findings). */
  output: unknown

  constructor(readonly verdict: PipelineVerdict) {
    super(verdict.headline)
    this.name = 'PipelineStop'
  }
}

/** Stops the pipeline: the branch is refused (it stays on the remote, main is unchanged). */
export function refuse(step: PipelineRunStep, headline: string, details: string[], action: string): PipelineStop {
  return new PipelineStop({ outcome: 'refused', step, headline, details, action })
}

/** The verdict of a step that failed with an error. */
export function failureVerdict(step: PipelineRunStep, branch: string, thrown: unknown): PipelineVerdict {
  const error = toAppError(thrown)
  const resume = `training-runner pipeline run --branch ${branch} --resume`
  return {
    outcome: 'failed',
    step,
    headline: `The ${step} step failed: ${error.message}`,
    details: [],
    action:
      error.hint === undefined ? `Fix the cause, then run \`${resume}\`.` : `${error.hint} Then run \`${resume}\`.`,
    code: error.code,
  }
}
