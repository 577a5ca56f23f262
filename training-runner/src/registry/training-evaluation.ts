import path from 'node:path'
import type { ModelEvaluation } from '@wms/shared/gate/verdict'
import { nullSink, type EventSink } from '../events/event-sink.js'
import { selectBackend, type BackendChoice, type BackendPreference } from '../train/backend/select-backend.js'
import { loadDatasetSplit } from '../train/dataset-samples.js'
import { evaluateModel } from '../train/evaluate-model.js'
import type { EvaluationPorts, TestPair } from './evaluation-port.js'

/** Options of {@link trainingEvaluationPorts}. */
export interface TrainingEvaluationOptions {
  backend?: BackendChoice | BackendPreference
  events?: EventSink
  env?: NodeJS.ProcessEnv
}

/**
 * The gate's evaluation ports, from the training module: the current test split of the workspace dataset (by each
 * image's content hash, with the workspace's split ratios) and a model's scores on exactly those pairs. The
 * backend is chosen once and used for both models, so candidate and production are scored alike.
 */
export function trainingEvaluationPorts(options: TrainingEvaluationOptions = {}): EvaluationPorts {
  let backend: Promise<BackendChoice> | undefined
  const chosenBackend = (): Promise<BackendChoice> => {
    const wanted = options.backend ?? 'auto'
    backend ??=
      typeof wanted === 'object'
        ? Promise.resolve(wanted)
        : selectBackend(wanted, {
            events: options.events ?? nullSink,
            ...(options.env === undefined ? {} : { env: options.env }),
          })
    return backend
  }
  return {
    loadTestSplit: async (workspaceRoot, config): Promise<TestPair[]> => {
      const datasetRoot = path.resolve(workspaceRoot, config.dataset.root)
      const { splits } = await loadDatasetSplit(datasetRoot, config.training.split)
      return splits.test.map((sample) => ({
        id: sample.id,
        md5: sample.md5,
        image: path.join(datasetRoot, sample.image),
        mask: path.join(datasetRoot, sample.mask),
      }))
    },
    evaluateModel: async (modelDir, testPairs): Promise<ModelEvaluation> => {
      // Samples are relative to a root; absolute test paths are relative to the file system's.
      const root = path.parse(testPairs[0]?.image ?? path.resolve('/')).root
      const result = await evaluateModel(modelDir, {
        datasetRoot: root,
        samples: testPairs.map((pair) => ({
          id: pair.id,
          md5: pair.md5,
          image: path.relative(root, pair.image),
          mask: path.relative(root, pair.mask),
        })),
        backend: await chosenBackend(),
        ...(options.events === undefined ? {} : { events: options.events }),
      })
      const { dice, iou, accuracy, hausdorff } = result.aggregate
      return {
        aggregate: { dice, iou, accuracy, hausdorff },
        perImage: result.perImage.map((image) => ({ id: image.id, dice: image.dice, iou: image.iou })),
      }
    },
  }
}
