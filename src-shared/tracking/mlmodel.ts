import { stringify } from 'yaml'

/**
 * The `MLmodel` file that makes a run's `model/` folder an MLflow model: MLflow's tools (the registry's model
 * version page, `mlflow models`, `Model.load`) read it to describe the model — its flavor and its input/output
 * signature. The flavor is `tfjs`: there is no `python_function` flavor, so `mlflow.pyfunc.load_model` cannot load
 * it; the model is loaded by WMS Studio's runner (`training-runner predict|evaluate <model dir>`).
 *
 * Format (MLflow 2.x): YAML with `artifact_path`, `flavors`, `model_uuid`, `run_id`, `utc_time_created`
 * (`%Y-%m-%d %H:%M:%S.%f`), `signature` whose `inputs`/`outputs` are JSON strings of tensor specs, and free
 * `metadata`.
 */

/** File name MLflow looks for in a model folder. */
export const MLMODEL_FILE = 'MLmodel'

/** What the `MLmodel` file describes. */
export interface MlmodelDescription {
  runId: string
  /** The model's folder inside the run's artifacts (`model`). */
  artifactPath: string
  /** A unique id of this model (MLflow writes a uuid4 hex). */
  modelUuid: string
  createdAt: Date
  /** Side of the square input the model was trained at. */
  inputSize: number
  /** What wrote the model (`training-runner 0.1.0`). */
  generatedBy: string
  /** The model files' format (`wms-unet`) and their names. */
  format: string
  files: { model: string; weights: string; metadata: string }
  /** Foreground ⇔ sigmoid(output) > threshold. */
  threshold: number
  /** Total size of the model's files. */
  sizeBytes?: number
}

/** MLflow's `utc_time_created`: `2026-03-15 14:22:33.456000`. */
export function mlflowUtcTime(date: Date): string {
  const iso = date.toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`
}

/** The `MLmodel` YAML for a trained U-Net. */
export function renderMlmodel(model: MlmodelDescription): string {
  const tensor = (name: string, channels: number) => ({
    type: 'tensor',
    'tensor-spec': { dtype: 'float32', shape: [-1, model.inputSize, model.inputSize, channels] },
    name,
  })
  const doc = {
    artifact_path: model.artifactPath,
    flavors: {
      tfjs: {
        format: model.format,
        model_file: model.files.model,
        weights_file: model.files.weights,
        metadata_file: model.files.metadata,
        generated_by: model.generatedBy,
        loader:
          'WMS Studio training-runner (training-runner predict|evaluate <model folder>); not loadable by mlflow.pyfunc',
      },
    },
    metadata: {
      input:
        'RGB photo resized to the input size, EXIF-oriented, preprocessed as metadata.json describes, scaled to 0..1',
      output: `per-pixel logit; foreground where sigmoid(logit) > ${String(model.threshold)}`,
    },
    model_uuid: model.modelUuid,
    ...(model.sizeBytes === undefined ? {} : { model_size_bytes: model.sizeBytes }),
    run_id: model.runId,
    signature: {
      inputs: JSON.stringify([tensor('image', 3)]),
      outputs: JSON.stringify([tensor('mask_logits', 1)]),
      params: null,
    },
    utc_time_created: mlflowUtcTime(model.createdAt),
  }
  return stringify(doc, { lineWidth: 0 })
}
