import { WmsError } from '@wms/shared/errors'
import type { SplitName, SplitRatios } from '@wms/shared/dataset/split'
import type { AggregateScores } from '@wms/shared/metrics/segmentation'
import { nullSink, type EventSink } from '../events/event-sink.js'
import { selectBackend, type BackendChoice, type BackendPreference } from './backend/select-backend.js'
import { PairCache, type Sample } from './data/batches.js'
import { loadDatasetSplit } from './dataset-samples.js'
import { evaluateSamples, type ImageScores, type NativeScores } from './evaluate-samples.js'
import { loadModel } from './model/model-files.js'

/** What to evaluate on. */
export interface EvaluateModelOptions {
  /** Dataset folder (`images/`, `masks/`). */
  datasetRoot: string
  /** Which split (default `test`), or `all` pairs. Ignored when `samples` is given. */
  split?: SplitName | 'all'
  /** Split ratios (default: the ones the model was trained with, from its metadata). */
  ratios?: SplitRatios
  /** Explicit pairs (paths relative to `datasetRoot`, with their image MD5). */
  samples?: readonly Sample[]
  batchSize?: number
  /** Probability threshold (default: the model's). */
  threshold?: number
  /** A selected backend, or a preference to select now (default `auto`). */
  backend?: BackendChoice | BackendPreference
  events?: EventSink
}

/** Per-image and aggregate scores of one model on one set of pairs. */
export interface EvaluationResult {
  modelDir: string
  split: SplitName | 'all' | 'custom'
  imageSize: number
  threshold: number
  aggregate: AggregateScores
  perImage: ImageScores[]
  /** Mean BCE loss per pixel. */
  loss: number
  /**
   * The same predictions scored at each photo's own size (the probability map resized onto the original mask, as
   * `predict` delivers it), next to the input-size scores above, which are what the gate compares (issue 18).
   */
  native: NativeScores
  backend: string
}

/**
 * Scores a saved model on a split of a dataset: per image (id, md5, Dice, IoU, accuracy, Hausdorff) and their
 * means. The quality gate calls it for the candidate and the production model with the same dataset and
 * ratios, so both are scored on the same test pairs.
 */
export async function evaluateModel(modelDir: string, options: EvaluateModelOptions): Promise<EvaluationResult> {
  const events = options.events ?? nullSink
  const backend =
    typeof options.backend === 'object' ? options.backend : await selectBackend(options.backend ?? 'auto', { events })
  const { model, metadata } = await loadModel(modelDir)
  try {
    const split = options.samples === undefined ? (options.split ?? 'test') : 'custom'
    let samples: readonly Sample[]
    if (options.samples !== undefined) samples = options.samples
    else {
      const data = await loadDatasetSplit(options.datasetRoot, options.ratios ?? metadata.data.split)
      samples =
        split === 'all'
          ? [...data.splits.train, ...data.splits.val, ...data.splits.test]
          : data.splits[split as SplitName]
    }
    if (samples.length === 0) {
      throw new WmsError('training/failed', `The ${split} split of ${options.datasetRoot} is empty.`, {
        hint: 'Evaluate another split, or add pairs to the dataset.',
      })
    }
    const threshold = options.threshold ?? metadata.threshold
    const cache = new PairCache(options.datasetRoot, metadata.input.size)
    const scores = await evaluateSamples(model, samples, cache, {
      batchSize: options.batchSize ?? 4,
      threshold,
      hausdorff: true,
      nativeRoot: options.datasetRoot,
      preprocess: {
        lowPercentile: metadata.preprocessing.contrastStretch.lowPercentile,
        highPercentile: metadata.preprocessing.contrastStretch.highPercentile,
        medianSize: metadata.preprocessing.medianBlur,
      },
    })
    return {
      modelDir,
      split,
      imageSize: metadata.input.size,
      threshold,
      aggregate: scores.aggregate,
      perImage: scores.perImage,
      loss: scores.loss,
      native: scores.native ?? {
        aggregate: { count: 0, dice: Number.NaN, iou: Number.NaN, accuracy: Number.NaN },
        perImage: [],
      },
      backend: backend.name,
    }
  } finally {
    model.dispose()
  }
}
