/**
 * The runner's one public entry (`import { … } from 'training-runner'`): what the desktop app, the benches, the git
 * hook and CI may use. Everything else under `src/` is the package's own business (ESLint forbids deep imports from
 * outside it). The CLI (`training-runner <command>`) is one client of these functions; docs/RUNNER-API.md lists
 * each export and the command that calls it.
 *
 * Grouped by capability, in the order a pair and then a model travel: workspace → dataset → qa → data branches (and
 * the hook) → training → tracking → registry → pipeline → serving, plus the events every long job streams and the
 * generated fixtures benches and e2e use.
 */

// ── Workspace: the config file, what the header shows, the demo workspace ───────────────────────────────────────
export { RUNNER_VERSION } from './version.js'
export { readWorkspaceConfig, resolveWorkspacePath, writeWorkspaceConfig } from './workspace/workspace-config-file.js'
export { DEMO_MARKER_FILE, readWorkspaceInfo } from './workspace/workspace-info.js'
export { initWorkspace, type InitOptions, type InitResult, type InitState } from './workspace/init-workspace.js'
export {
  createDemoWorkspace,
  DEMO_MIN_TEST_PAIRS,
  demoConfig,
  demoExists,
  demoLayout,
  ensureDemoWorkspace,
  type DemoLayout,
  type DemoOptions,
} from './workspace/demo-workspace.js'
export { isInside } from './qa/dataset-files.js'

// ── Dataset: the DVC-compatible versioned dataset (add, push, pull, status, diff, merge) and its remote ─────────
export {
  DATASET_FOLDERS,
  isDatasetFile,
  openDatasetWorkspace,
  type DatasetFolder,
  type DatasetWorkspace,
  type StoreOptions,
  type TrackedFolder,
} from './dvc/dataset-workspace.js'
export { datasetVersionKey, readDatasetVersion, readDvcFile, readDvcOut } from './dvc/dvc-files.js'
export { cachedManifest, fetchManifest, type ManifestOptions } from './dvc/manifests.js'
export { dirObjectOf, hashDirectory, type DirManifest, type HashedDirectory } from './dvc/hash-directory.js'
export {
  addDataset,
  pullDataset,
  pushDataset,
  removeFromDataset,
  type PullResult,
  type PushOptions,
  type PushResult,
  type RemoveResult,
  type SyncOptions,
} from './dvc/sync.js'
export { datasetStatus, type DatasetStatus, type FolderState, type FolderStatus } from './dvc/status.js'
export { diffDatasetVersions, type DatasetDiff } from './dvc/diff.js'
export {
  mergeDataBranch,
  summarize as summarizeMerge,
  type MergeDataBranchOptions,
  type MergeResult,
} from './dvc/merge.js'
export { listDatasetFiles, listDatasetPairs } from './dataset/list-dataset.js'
export { createRemoteStore, type RemoteStoreOverrides } from './adapters/storage/create-remote-store.js'
export type { RemoteStore } from './adapters/storage/remote-store.js'
export type { TransferReport } from './dvc/transfer.js'
export { md5File } from './fs/hash-file.js'

// ── QA: pair discovery, the rule engine (the same in app, hook and CI), fixes, the existing-dataset index ───────
export {
  discoverPairs,
  type DiscoveredPairingProblem,
  type DiscoveredPairs,
  type QaPairInput,
} from './qa/discover-pairs.js'
export {
  defaultQaConcurrency,
  preloadDecoders,
  resolveQaPolicy,
  runQa,
  type QaPairResult,
  type RunQaOptions,
} from './qa/run-qa.js'
export { defaultQaCacheDir } from './qa/probe-cache.js'
export type { DatasetFile } from './qa/dataset-files.js'
export { applyFixes, type ApplyFixesOptions, type FixedFile, type FixResult } from './qa/apply-fixes.js'
export { readDatasetIndex, writeDatasetIndex } from './qa/dataset-index-file.js'
export {
  existingDatasetIndex,
  indexDatasetFolder,
  isWorkspaceRoot,
  type ExistingDataset,
  type IndexOptions,
} from './qa/existing-dataset.js'

// ── Data branches: a `data/YYYYMMDD-HHMMSS` commit from a set of pairs, pushed; the list of them; git itself ────
export {
  commitDataBranch,
  deleteDataBranch,
  gitBlobId,
  pushDataBranch,
  verifyDataBranch,
  type BranchFile,
  type CommitDataBranchOptions,
  type CommittedBranch,
  type ExpectedBlob,
  type PushProgress,
} from './staging/data-branch.js'
export { listDataBranches, type DataBranch } from './staging/data-branches.js'
export { cleanGitEnv, openRepo, runGit, type OpenRepoOptions } from './adapters/git/run-git.js'
// The pre-push hook: a push of new data to main becomes a data branch (`training-runner init` installs it).
export {
  installHooks,
  uninstallHooks,
  runPrePush,
  type InstallHooksOptions,
  type InstallHooksResult,
  type UninstallHooksResult,
  type PrePushOutcome,
} from './hooks/index.js'

// ── Training: the U-Net trainer, evaluation, prediction, the backend choice, and the trainer's own building blocks
export {
  trainModel,
  type EpochRecord,
  type PipelineStats,
  type TrainModelOptions,
  type TrainResult,
} from './train/train-model.js'
export { evaluateModel, type EvaluateModelOptions, type EvaluationResult } from './train/evaluate-model.js'
export {
  loadPredictor,
  maskToPng,
  predictImages,
  predictMask,
  type MaskPrediction,
  type PredictionFile,
  type PredictOptions,
  type Predictor,
} from './train/predict.js'
export { loadDatasetSplit, type DatasetSplit } from './train/dataset-samples.js'
export { MASK_THRESHOLD } from './train/data/decode.js'
export {
  BACKEND_PREFERENCES,
  describeChoice,
  selectBackend,
  type BackendChoice,
  type BackendPreference,
} from './train/backend/select-backend.js'
// The blocks the trainer's step is made of, for benches that time one step or the input pipeline on their own.
export { createUnet, DEFAULT_UNET, type Unet, type UnetConfig } from './train/model/unet.js'
export { Adam, type AdamOptions } from './train/ops/adam.js'
export { bceWithLogits } from './train/ops/bce-loss.js'
export { batches, PairCache, type Batch, type BatchOptions, type Sample } from './train/data/batches.js'
// Issue 18: the configurable loss, the trainer's step (micro-batches) and data-parallel workers, for bench:train.
export { trainingLoss, type LossOptions } from './train/ops/losses.js'
export { createTrainStep, type TrainStep } from './train/loop/train-step.js'
export { type GradientOptions } from './train/loop/gradients.js'
export { startDataParallel, type DataParallel } from './train/parallel/data-parallel.js'
export { largestBatchThatFits } from './train/loop/memory-guard.js'

// ── Tracking: MLflow's FileStore or REST server behind one store, runs and their tags ───────────────────────────
export {
  getOrCreateExperiment,
  openTrackingStore,
  resolveFileStoreRoot,
  type OpenTrackingStoreOptions,
} from './tracking/open-tracking-store.js'
export type { TrackingStore } from './tracking/tracking-store.js'
export { applyTrackingEnv, type EffectiveTracking } from './tracking/tracking-env.js'
export { RunLogger, startRun, type StartRunOptions } from './tracking/run-logger.js'
export { collectRunTags, type RunTagInputs } from './tracking/provenance.js'

// ── Registry: gate, promote, roll back, history of the production model ─────────────────────────────────────────
export { openWorkspaceTracking, type OpenWorkspaceTrackingOptions } from './registry/open-workspace-tracking.js'
export { runGate, type GateRunResult, type RunGateOptions } from './registry/gate-workflow.js'
export { promote, type PromoteOptions, type PromoteResult } from './registry/promote.js'
export { rollback, type RollbackOptions, type RollbackResult } from './registry/rollback.js'
export { readHistory, renderHistoryText, type HistoryItem, type ProductionHistory } from './registry/history.js'
export {
  resolveProduction,
  type ProductionResolution,
  type ResolveProductionOptions,
} from './registry/resolve-production.js'
export { trainingEvaluationPorts, type TrainingEvaluationOptions } from './registry/training-evaluation.js'
export type { EvaluationPorts } from './registry/evaluation-port.js'

// ── Pipeline steps: training with tracking, and the inputs a run checks before it starts ────────────────────────
export {
  trainAndTrack,
  type QaReportSource,
  type TrackedTraining,
  type TrainAndTrackOptions,
} from './pipeline/train-and-track.js'
export { assertUsableTestSplit, readQaReportFile, resolveQaReport } from './pipeline/run-inputs.js'

// ── Pipeline runs: one data branch from merge to publish, its run record, and the local runner that watches ─────
export { runPipeline, type RunPipelineOptions } from './pipeline/run-pipeline.js'
export {
  LocalRunner,
  type LocalRunnerOptions,
  type PipelineExecutor,
  type RunnerState,
} from './pipeline/local-runner.js'
export { listRunRecords, readRunRecord } from './pipeline/run-record-file.js'

// ── GitHub (issue 16): a branch's workflow runs, jobs, steps and PR for the app; Octokit with rate limits, ETags ───
export {
  createGitHubStatusClient,
  statusClientOver,
  type GitHubBranchStatus,
  type GitHubCheck,
  type GitHubJobStatus,
  type GitHubPullRequestStatus,
  type GitHubStatusClient,
  type GitHubStatusClientOptions,
  type GitHubStepStatus,
  type GitHubWorkflowRun,
} from './adapters/github/status-client.js'
export {
  createGitHubClient,
  type GitHubClient,
  type GitHubClientOptions,
  type RateLimitWait,
} from './adapters/github/github-client.js'
export type { RateLimitState, RequestStats } from './adapters/github/conditional-fetch.js'
export { publishBranchName } from './adapters/github/publish-branch.js'

// ── Serving: the production model behind HTTP (`training-runner serve`) ──────────────────────────────────────────
export { startModelServer, type ModelServer, type ServeOptions } from './serve/server.js'
export { folderSource, registrySource, type ModelSource, type RegistrySourceOptions } from './serve/model-source.js'
export { ServeMetrics } from './serve/metrics.js'

// ── Events: where long jobs report progress (NDJSON for the app and CI, a TTY line for people) ──────────────────
export {
  callbackSink,
  collectingSink,
  ndjsonSink,
  nullSink,
  stamp,
  teeSink,
  type EventSink,
} from './events/event-sink.js'
export { ttySink } from './events/tty-sink.js'

// ── Fixtures: generated, deterministic data and models for benches and e2e (tests never use the real sample) ────
export {
  DEFAULT_SYNTHETIC_SIZES,
  syntheticStem,
  writeSyntheticDataset,
  type SyntheticDatasetOptions,
  type SyntheticPairFile,
} from './demo/synthetic-dataset.js'
// The reference QA that decodes every pixel: benches and equality tests measure the real engine against it.
export { fullDecodeQa } from './qa/fixtures/full-decode-qa.js'
export { testPhoto, writeTinyModel, type TinyModelOptions } from './serve/fixtures/tiny-model.js'
