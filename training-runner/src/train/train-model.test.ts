import { readFile } from 'node:fs/promises'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { writeSyntheticDataset } from '../demo/synthetic-dataset.js'
import { collectingSink } from '../events/event-sink.js'
import { selectBackend } from './backend/select-backend.js'
import { evaluateModel } from './evaluate-model.js'
import { loadModel } from './model/model-files.js'
import { predictImages, probabilitiesToMask } from './predict.js'
import { trainModel } from './train-model.js'

/**
 * The smoke test of the whole training path on generated data: 2 epochs at 64², falling loss, no tensor leak,
 * an exported model that loads, evaluates and predicts, and a resumed run that continues from the checkpoint.
 */
describe('probabilitiesToMask', () => {
  it('resizes the probability map to the photo and thresholds it, pixel-aligned', async () => {
    // left half certain, right half not, at 8×8 → a 40×24 photo
    const probabilities = Float32Array.from({ length: 64 }, (_, i) => (i % 8 < 4 ? 0.9 : 0.1))
    const { mask, foreground } = await probabilitiesToMask(probabilities, 8, 40, 24, 0.5)
    expect(mask.length).toBe(40 * 24)
    expect(foreground).toBeCloseTo(0.5, 1)
    for (let y = 0; y < 24; y += 1) {
      expect(mask[y * 40 + 2]).toBe(255)
      expect(mask[y * 40 + 37]).toBe(0)
    }
  })
})

describe('trainModel (smoke)', () => {
  const tempDir = useTempDirs()

  it('trains 2 epochs with falling loss and no tensor leak, then evaluates, predicts and resumes', async () => {
    const dir = await tempDir()
    const data = path.join(dir, 'data')
    const pairs = await writeSyntheticDataset(data, { count: 16, seed: 3, exifRotatedEvery: 5 })
    const backend = await selectBackend('wasm')
    // In process (workers: 1): the worker threads are exercised by the budget test below and parallel/*.test.ts.
    const config = { imageSize: 64, epochs: 2, learningRate: 1e-3, workers: 1, backend: 'wasm' as const }
    const events = collectingSink()
    const epochs: number[] = []
    const before = tf.memory().numTensors

    const result = await trainModel({
      datasetRoot: data,
      outDir: path.join(dir, 'model'),
      config,
      events,
      backend,
      keepCheckpoint: true,
      dataVersion: 'abc123.dir',
      onEpochEnd: (record) => {
        epochs.push(record.epoch)
      },
    })

    expect(tf.memory().numTensors).toBe(before)
    expect(epochs).toEqual([1, 2])
    expect(result.epochsRun).toBe(2)
    const [first, second] = result.history
    expect(second?.trainLoss).toBeLessThan(first?.trainLoss ?? 0)
    expect(result.counts.train + result.counts.val + result.counts.test).toBe(16)
    expect(result.backend.name).toBe('wasm')
    expect(result.metadata).toMatchObject({
      input: { size: 64 },
      threshold: 0.5,
      architecture: { parameters: 1_965_569 },
      data: { version: 'abc123.dir' },
      backend: { name: 'wasm' },
    })
    expect(events.events.filter((e) => e.type === 'epoch-end')).toHaveLength(2)
    expect(events.events.some((e) => e.type === 'progress' && e.unit === 'steps' && e.etaSeconds !== undefined)).toBe(
      true,
    )

    // the exported folder loads and scores the same pairs the same way
    const modelJson = JSON.parse(await readFile(path.join(dir, 'model', 'model.json'), 'utf8')) as {
      weightsManifest: { weights: unknown[] }[]
    }
    expect(modelJson.weightsManifest[0]?.weights.length).toBeGreaterThan(100)
    const loaded = await loadModel(path.join(dir, 'model'))
    expect(loaded.config.baseFilters).toBe(16)
    loaded.model.dispose()
    const evaluation = await evaluateModel(path.join(dir, 'model'), { datasetRoot: data, split: 'all', backend })
    expect(evaluation.perImage).toHaveLength(16)
    expect(evaluation.perImage.map((s) => s.id).sort()).toEqual(pairs.map((p) => p.stem).sort())
    expect(evaluation.perImage[0]?.md5).toMatch(/^[0-9a-f]{32}$/)
    for (const key of ['dice', 'iou', 'accuracy', 'hausdorff'] as const) {
      expect(Number.isFinite(evaluation.aggregate[key])).toBe(true)
    }
    // … and at each photo's own size (issue 18), next to the input-size scores
    expect(evaluation.native.perImage).toHaveLength(16)
    const rotatedScore = evaluation.native.perImage.find((s) => s.id === pairs[4]?.stem)
    expect([rotatedScore?.width, rotatedScore?.height]).toEqual([pairs[4]?.width, pairs[4]?.height])
    expect(evaluation.native.aggregate.dice).toBeGreaterThanOrEqual(0)
    expect(evaluation.native.aggregate.dice).toBeLessThanOrEqual(1)

    // predictions come back at each photo's own (EXIF-oriented) size
    const rotated = pairs[4]
    if (rotated === undefined) throw new Error('no rotated pair')
    const predictions = await predictImages(
      path.join(dir, 'model'),
      [path.join(data, rotated.image)],
      path.join(dir, 'out'),
      {
        backend,
      },
    )
    const mask = await sharp(predictions[0]?.mask ?? '').metadata()
    expect([mask.width, mask.height]).toEqual([rotated.width, rotated.height])
    expect(predictions[0]?.overlay).toMatch(/\.overlay\.jpg$/)
    expect(tf.memory().numTensors).toBe(before)

    // a third epoch resumes from the checkpoint instead of starting over
    const resumed = await trainModel({
      datasetRoot: data,
      outDir: path.join(dir, 'model'),
      config: { ...config, epochs: 3 },
      events,
      backend,
    })
    expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2, 3])
    expect(events.events.some((e) => e.type === 'log' && e.message.startsWith('Resuming after epoch 2'))).toBe(true)
    expect(tf.memory().numTensors).toBe(before)
  }, 120_000)

  it('trains on worker threads and stops at the wall-clock budget (maxSeconds) after the step that spends it', async () => {
    const dir = await tempDir()
    const data = path.join(dir, 'data')
    await writeSyntheticDataset(data, { count: 12, seed: 4 })
    const events = collectingSink()
    const result = await trainModel({
      datasetRoot: data,
      outDir: path.join(dir, 'model'),
      config: { imageSize: 32, epochs: 50, maxSeconds: 0.001, workers: 2, backend: 'wasm' },
      events,
      backend: await selectBackend('wasm'),
    })
    expect(result.epochsRun).toBe(1)
    expect(result.stoppedEarly).toBe(true)
    expect(events.events.some((e) => e.type === 'log' && e.message.startsWith('Training on 2 worker threads'))).toBe(
      true,
    )
    const steps = events.events.filter((e) => e.type === 'progress' && e.unit === 'steps')
    expect(steps).toHaveLength(1)
    expect(events.events.some((e) => e.type === 'log' && e.message.startsWith('Time budget of 0.001 s spent'))).toBe(
      true,
    )
    // Worker start-up (tfjs + wasm per worker; from source also tsx) dominates; it took 70 s at load 26 on 2 cores.
  }, 180_000)
})
