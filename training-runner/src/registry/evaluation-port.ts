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
  /** MD5 of the image file (its content address, which put it in the test split). */
  md5: string
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
