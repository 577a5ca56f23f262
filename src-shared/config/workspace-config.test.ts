import { describe, expect, it } from 'vitest'
import { parseWorkspaceConfig } from './workspace-config.js'

const minimal = {
  version: 1,
  name: 'Meters',
  dataset: { remote: { type: 'local', path: '../remote' } },
  tracking: { uri: 'file:../mlruns' },
}

describe('parseWorkspaceConfig', () => {
  it('applies defaults to a minimal config', () => {
    const parsed = parseWorkspaceConfig(minimal)
    expect(parsed.ok).toBe(true)
    if (!parsed.ok) return
    expect(parsed.value.dataset.root).toBe('data/training')
    expect(parsed.value.tracking.experiment).toBe('water-meter-segmentation')
    expect(parsed.value.pipeline.runner).toBe('local')
    expect(parsed.value.qa.nearEmptyPixels).toBe(100)
    expect(parsed.value.training).toMatchObject({ batchSize: 4, learningRate: 1e-3, earlyStoppingPatience: 5 })
    expect(parsed.value.training.split).toEqual({ train: 80, val: 10, test: 10 })
    expect(parsed.value.gate).toEqual({
      diceMargin: 0,
      iouMargin: 0,
      allowUnavailableBaseline: false,
      minDice: 0,
      minIou: 0,
      firstModelMinDice: 0.5,
      perImageTopK: 5,
    })
    expect(parsed.value.github).toBeNull()
  })

  it('accepts an S3 remote and an MLflow server', () => {
    const parsed = parseWorkspaceConfig({
      ...minimal,
      dataset: {
        remote: {
          type: 's3',
          bucket: 'wms-data',
          prefix: 'dvc',
          endpoint: 'http://127.0.0.1:9000',
          forcePathStyle: true,
        },
      },
      tracking: { uri: 'https://mlflow.example.com' },
      github: { repo: 'acme/meters' },
    })
    expect(parsed.ok && parsed.value.dataset.remote).toMatchObject({
      type: 's3',
      region: 'us-east-1',
      forcePathStyle: true,
    })
  })

  it.each([
    ['a missing name', { ...minimal, name: undefined }, 'name'],
    ['an unknown remote type', { ...minimal, dataset: { remote: { type: 'ftp' } } }, 'dataset.remote.type'],
    ['a tracking URI without scheme', { ...minimal, tracking: { uri: '/tmp/mlruns' } }, 'tracking.uri'],
    ['a malformed GitHub repo', { ...minimal, github: { repo: 'not a repo' } }, 'github.repo'],
    ['a negative batch size', { ...minimal, training: { batchSize: -1 } }, 'training.batchSize'],
  ])('rejects %s and names the field', (_label, config, field) => {
    const parsed = parseWorkspaceConfig(config)
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.error.code).toBe('workspace/invalid-config')
    expect(parsed.error.message).toContain(`${field}:`)
    expect(parsed.error.hint).toBeDefined()
  })

  it('refuses a config written by a newer version, saying so', () => {
    const parsed = parseWorkspaceConfig({ ...minimal, version: 2 })
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.error.message).toMatch(/version 2, newer than/)
  })

  it.each([
    [{ training: { epoch: 1 } }, 'training: unknown key "epoch" (did you mean "epochs"?)'],
    [{ training: { image_size: 64 } }, 'training: unknown key "image_size" (did you mean "imageSize"?)'],
    [{ training: { batch: 2 } }, 'training: unknown key "batch" (did you mean "batchSize"?)'],
    [{ qa: { maxPixel: 10 } }, 'qa: unknown key "maxPixel" (did you mean "maxPixels"?)'],
    [{ trainig: {} }, '(root): unknown key "trainig" (did you mean "training"?)'],
    [{ colour: 'blue' }, '(root): unknown key "colour"'],
  ])('refuses unknown keys and says which was meant: %j', (extra, line) => {
    const parsed = parseWorkspaceConfig({ ...minimal, ...extra })
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.error.message).toContain(`  - ${line}`)
  })

  it.each([
    [{ root: '/etc' }, 'dataset.root: must be a folder inside the workspace'],
    [{ root: '../../elsewhere' }, 'dataset.root: must be a folder inside the workspace'],
    [{ root: 'data/../../x' }, 'dataset.root: must be a folder inside the workspace'],
    [{ remote: { type: 'local', path: '/' } }, 'dataset.remote.path: must be a folder for the remote'],
  ])('refuses a dataset outside the workspace and a remote at a disk root: %j', (dataset, line) => {
    const parsed = parseWorkspaceConfig({ ...minimal, dataset: { ...minimal.dataset, ...dataset } })
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.error.message).toContain(`  - ${line}`)
  })

  it('keeps accepting a dataset inside the workspace and a remote beside it', () => {
    const parsed = parseWorkspaceConfig({ ...minimal, dataset: { ...minimal.dataset, root: './data/../datasets/v1' } })
    expect(parsed.ok).toBe(true)
  })
})
