/**
 * The dataset QA engine as a library — what the desktop app, the git hook and CI call:
 *
 * - {@link discoverPairs}: pairs from dropped files and/or folders, with pairing problems;
 * - {@link runQa}: probe, judge and report (streams per-pair results, cancellable, cached by content hash);
 * - {@link applyFixes}: write a normalised copy of one pair;
 * - {@link readDatasetIndex} / {@link writeDatasetIndex}: the existing-dataset index that `against` takes.
 *
 * The rules themselves, the report format and its renderers are pure and live in `@wms/shared/qa/*`.
 */
export { applyFixes, type ApplyFixesOptions, type FixedFile, type FixResult } from './apply-fixes.js'
export { readDatasetIndex, writeDatasetIndex } from './dataset-index-file.js'
export type { DatasetFile } from './dataset-files.js'
export {
  discoverPairs,
  type DiscoveredPairingProblem,
  type DiscoveredPairs,
  type QaPairInput,
} from './discover-pairs.js'
export { defaultQaCacheDir } from './probe-cache.js'
export { defaultQaConcurrency, resolveQaPolicy, runQa, type QaPairResult, type RunQaOptions } from './run-qa.js'
