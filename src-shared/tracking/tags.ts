/**
 * Tag and artifact names WMS Studio writes to MLflow. MLflow keeps no alias history, so promotions are recorded as
 * version tags (and in `models/production-history.jsonl`); runs carry their provenance as tags.
 */

/** MLflow's own system tags (the UI shows them). */
export const MLFLOW_TAGS = {
  runName: 'mlflow.runName',
  user: 'mlflow.user',
  sourceName: 'mlflow.source.name',
  sourceType: 'mlflow.source.type',
  gitCommit: 'mlflow.source.git.commit',
  gitBranch: 'mlflow.source.git.branch',
  note: 'mlflow.note.content',
} as const

/** Run tags: where a training run came from. */
export const RUN_TAGS = {
  gitSha: 'wms.git.sha',
  gitBranch: 'wms.git.branch',
  /** The `.dvc` md5s of images and masks, `images=<md5>,masks=<md5>`. */
  dataVersion: 'wms.data.version',
  imagesMd5: 'wms.data.images_md5',
  masksMd5: 'wms.data.masks_md5',
  pairsTotal: 'wms.data.pairs',
  pairsTrain: 'wms.data.train_pairs',
  pairsVal: 'wms.data.val_pairs',
  pairsTest: 'wms.data.test_pairs',
  backend: 'wms.backend',
  runnerVersion: 'wms.runner.version',
  githubRun: 'wms.github.run',
  /** `pass` / `fail`, set on the candidate run by `gate`. */
  gateResult: 'wms.gate.result',
  gateOutcome: 'wms.gate.outcome',
  gateHeadline: 'wms.gate.headline',
  /** Registry version this run became, once promoted. */
  registeredVersion: 'wms.registry.version',
} as const

/** Model version tags: the audit trail of promotions and rollbacks. */
export const VERSION_TAGS = {
  gateResult: 'gate.result',
  gateOutcome: 'gate.outcome',
  gateBaselineVersion: 'gate.baseline_version',
  gateCandidateDice: 'gate.candidate_dice',
  gateCandidateIou: 'gate.candidate_iou',
  gateBaselineDice: 'gate.baseline_dice',
  gateBaselineIou: 'gate.baseline_iou',
  gateDiceDelta: 'gate.dice_delta',
  gateIouDelta: 'gate.iou_delta',
  gateTestImages: 'gate.test_images',
  dataVersion: 'data.version',
  dataGitSha: 'data.git_sha',
  sourceBranch: 'source.branch',
  prNumber: 'pr.number',
  githubRun: 'github.run',
  promotedAt: 'promoted_at',
  replacedVersion: 'replaced_version',
  rolledBackAt: 'rolled_back_at',
  /** When the gate that allowed this promotion decided (tells a rerun of one promotion from a new one). */
  gateDecidedAt: 'gate.decided_at',
  rollbackReason: 'rollback.reason',
} as const

/** Artifact paths inside a run. */
export const ARTIFACT_PATHS = {
  model: 'model',
  /** The model folder's `MLmodel` file (what MLflow's tools read to describe the model). */
  mlmodel: 'model/MLmodel',
  metadata: 'metadata/model-metadata.json',
  /** The exact training settings, written when the run starts (it also proves artifacts can be written). */
  trainingConfig: 'config/training.json',
  qaReport: 'reports/qa-report.json',
  qaReportMarkdown: 'reports/qa-report.md',
  perImageCsv: 'metrics/per-image.csv',
  lossPlot: 'plots/loss.svg',
  dicePlot: 'plots/dice.svg',
  gateVerdictJson: 'gate/verdict.json',
  gateVerdictMarkdown: 'gate/verdict.md',
} as const

/** The alias that marks the production model. */
export const PRODUCTION_ALIAS = 'production'
