import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import type { ModelEvaluation } from '@wms/shared/gate/verdict'
import type { EvaluationPorts, TestPair } from '../../src/registry/evaluation-port.js'
import { startRun } from '../../src/tracking/run-logger.js'
import type { TrackingStore } from '../../src/tracking/tracking-store.js'

/**
 * Stand-ins for training and evaluation (owned by another module): a "model" is a folder whose `scores.json` says
 * how it scores on each test image, and the fake evaluator reads it. Everything else — the run, its params,
 * metrics and artifacts, the registry — is real.
 */

/** Per-image [dice, iou] a fake model scores. */
export type FakeScores = Record<string, [number, number]>

/** Writes a fake model folder. `broken` models make the evaluator throw. */
export async function writeFakeModel(
  dir: string,
  scores: FakeScores,
  options: { broken?: boolean } = {},
): Promise<string> {
  await mkdir(dir, { recursive: true })
  await writeFile(path.join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', fake: true }))
  await writeFile(path.join(dir, 'scores.json'), JSON.stringify({ scores, broken: options.broken === true }))
  return dir
}

/** Ports over fake models, with a fixed test split; `calls` records which model folders were evaluated. */
export function fakePorts(ids: string[]): EvaluationPorts & { calls: { modelDir: string; pairs: string[] }[] } {
  const calls: { modelDir: string; pairs: string[] }[] = []
  return {
    calls,
    loadTestSplit: () =>
      Promise.resolve(
        ids.map((id): TestPair => ({
          id,
          md5: id.padEnd(32, '0'),
          image: `/data/images/${id}.jpg`,
          mask: `/data/masks/${id}.png`,
        })),
      ),
    evaluateModel: async (modelDir, pairs) => {
      calls.push({ modelDir, pairs: pairs.map((pair) => pair.id) })
      const { scores, broken } = JSON.parse(await readFile(path.join(modelDir, 'scores.json'), 'utf8')) as {
        scores: FakeScores
        broken: boolean
      }
      if (broken) throw new WmsError('training/failed', 'the model file is corrupt')
      return evaluationOf(
        scores,
        pairs.map((pair) => pair.id),
      )
    },
  }
}

/** The evaluation a fake model gets on `ids`. */
export function evaluationOf(scores: FakeScores, ids: string[]): ModelEvaluation {
  const perImage = ids.map((id) => ({ id, dice: scores[id]?.[0] ?? 0, iou: scores[id]?.[1] ?? 0 }))
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length)
  return {
    aggregate: { dice: mean(perImage.map((image) => image.dice)), iou: mean(perImage.map((image) => image.iou)) },
    perImage,
  }
}

/** Records a whole fake training run through the real run logger; returns its run id. */
export async function fakeTrainingRun(
  store: TrackingStore,
  options: { experiment: string; workDir: string; scores: FakeScores; broken?: boolean; tags?: Record<string, string> },
): Promise<string> {
  const logger = await startRun(store, {
    experiment: options.experiment,
    runName: 'test-run',
    tags: {
      'wms.data.pairs': '20',
      'wms.data.version': 'images=aaa.dir,masks=bbb.dir',
      'wms.git.sha': 'f'.repeat(40),
      ...options.tags,
    },
  })
  await logger.logParams({ training: { epochs: 2, augment: { hflip: 0.5 } } })
  for (const epoch of [1, 2]) {
    await logger.logMetrics(
      { train_loss: 1 / epoch, val_loss: 1.2 / epoch, train_dice: 0.3 * epoch, val_dice: 0.25 * epoch },
      epoch,
    )
  }
  const modelDir = await writeFakeModel(path.join(options.workDir, logger.runId, 'model'), options.scores, {
    broken: options.broken === true,
  })
  await logger.logModel(modelDir)
  await logger.logMetadata({ format: 'fake', epochs: 2 })
  await logger.logTestResults(evaluationOf(options.scores, Object.keys(options.scores)), 2)
  await logger.finish()
  return logger.runId
}
