import path from 'node:path'
import { TrainingConfigSchema } from '@wms/shared/config/training-config'
import { buildMetadata } from '../../src/train/train-metadata.js'
import { readModelValues, saveModel } from '../../src/train/model/model-files.js'
import { createUnet, DEFAULT_UNET, type UnetConfig } from '../../src/train/model/unet.js'

/** The tiny U-Net the model tests use. */
export const TINY_UNET: UnetConfig = { ...DEFAULT_UNET, baseFilters: 2 }

/** Writes a real (untrained, seeded) model folder at `dir` that loads and predicts at `imageSize`². */
export async function writeUntrainedModel(dir: string, imageSize = 32): Promise<string> {
  const model = createUnet(TINY_UNET, { seed: 1 })
  const metadata = buildMetadata({
    config: TrainingConfigSchema.parse({ imageSize }),
    unet: TINY_UNET,
    backend: { name: 'cpu', candidate: 'cpu', skipped: [], fusedKernels: false },
    counts: { train: 1, val: 0, test: 0 },
    contentHash: '0'.repeat(32),
    dataVersion: null,
    bestEpoch: 1,
    epochsRun: 1,
    val: null,
    test: null,
  })
  await saveModel(path.resolve(dir), TINY_UNET, readModelValues(model), metadata, 'test')
  model.dispose()
  return dir
}
