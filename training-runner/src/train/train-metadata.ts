import type { TrainingConfig } from '@wms/shared/config/training-config'
import { RUNNER_VERSION } from '../version.js'
import type { BackendChoice } from './backend/select-backend.js'
import { MASK_THRESHOLD } from './data/decode.js'
import { DEFAULT_PREPROCESS } from './data/preprocess.js'
import type { EvaluationScores } from './evaluate-samples.js'
import type { ModelMetadata } from './model/metadata.js'
import { countParameters, type UnetConfig } from './model/unet.js'

/** The `metadata.json` of a model trained with these settings, on this data, with these results. */
export function buildMetadata(input: {
  config: TrainingConfig
  unet: UnetConfig
  backend: BackendChoice
  counts: { train: number; val: number; test: number }
  contentHash: string
  dataVersion: string | null
  bestEpoch: number
  epochsRun: number
  val: EvaluationScores | null
  test: EvaluationScores | null
}): ModelMetadata {
  const { config, unet, bestEpoch, epochsRun, val, test } = input
  return {
    ...modelFormat(unet, config.imageSize, config.threshold),
    metrics: {
      bestEpoch,
      epochsRun,
      val: val === null ? null : { ...val.aggregate, loss: val.loss },
      test: test === null ? null : test.aggregate,
    },
    data: {
      version: input.dataVersion,
      contentHash: input.contentHash,
      split: config.split,
      counts: input.counts,
    },
    backend: { name: input.backend.name, candidate: input.backend.candidate },
    training: { ...config },
  }
}

/**
 * What a model folder says about itself independent of how it was trained: format, architecture, input and
 * preprocessing contract, threshold. Shared with the fixtures that write model folders without training, so they
 * cannot drift from what `predict` and `serve` read.
 */
export function modelFormat(
  unet: UnetConfig,
  size: number,
  threshold: number,
): Pick<
  ModelMetadata,
  | 'schemaVersion'
  | 'createdAt'
  | 'generatedBy'
  | 'architecture'
  | 'input'
  | 'preprocessing'
  | 'threshold'
  | 'maskThreshold'
> {
  return {
    schemaVersion: 1,
    createdAt: new Date().toISOString(),
    generatedBy: `training-runner ${RUNNER_VERSION}`,
    architecture: { name: 'unet', ...unet, parameters: countParameters(unet) },
    input: {
      size,
      channels: 3,
      layout: 'NHWC',
      exifOrientation: true,
      resize: { image: 'bilinear', mask: 'nearest' },
    },
    preprocessing: {
      contrastStretch: {
        lowPercentile: DEFAULT_PREPROCESS.lowPercentile,
        highPercentile: DEFAULT_PREPROCESS.highPercentile,
      },
      medianBlur: DEFAULT_PREPROCESS.medianSize,
      scale: '0..1',
    },
    threshold,
    maskThreshold: MASK_THRESHOLD,
  }
}
