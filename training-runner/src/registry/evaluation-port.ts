import { WmsError } from '@wms/shared/errors'
import type { ModelEvaluation } from '@wms/shared/gate/verdict'
import type { WorkspaceConfig } from '@wms/shared/config/workspace-config'

/**
 * The ports the gate needs from training/evaluation (owned by the training code, wired by the caller):
 * which test pairs make up the current test split, and how a model scores on them. The gate evaluates the
 * candidate and production through the same two functions, so both see exactly the same images.
 */

/** One test pair, with absolute paths. */
export interface TestPair {
  /** Stable id shown in per-image deltas (the pair's stem). */
  id: string
  image: string
  mask: string
}

/**
 * Evaluates the model saved in `modelDir` (a downloaded `model/` artifact) on `testPairs`.
 * Must return one per-image entry per pair (same ids) and the mean Dice/IoU over them.
 */
export type EvaluateModel = (
  modelDir: string,
  testPairs: readonly TestPair[],
  options?: { signal?: AbortSignal },
) => Promise<ModelEvaluation>

/** The current test split of a workspace (a pure function of the files' content hashes, PRODUCT.md §6). */
export type LoadTestSplit = (workspaceRoot: string, config: WorkspaceConfig) => Promise<TestPair[]>

/** What the gate needs from training. */
export interface EvaluationPorts {
  evaluateModel: EvaluateModel
  loadTestSplit: LoadTestSplit
}

/**
 * Placeholders until the training code provides the real functions: they fail with a clear error instead of
 * guessing, so the gate can never pass on a made-up evaluation.
 */
export const unwiredEvaluationPorts: EvaluationPorts = {
  evaluateModel: () => Promise.reject(notWired('model evaluation')),
  loadTestSplit: () => Promise.reject(notWired('the test split')),
}

function notWired(what: string): WmsError {
  return new WmsError('gate/evaluator-unavailable', `This build of training-runner cannot compute ${what} yet.`, {
    hint: 'Use a training-runner build whose training module provides evaluateModel and the test split.',
  })
}
