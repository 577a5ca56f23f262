import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { readMlflowFileStore } from '../../../test/helpers/mlflow-filestore-reader.js'
import { useTempDirs } from '../../../test/helpers/temp-dir.js'
import { getOrCreateExperiment } from '../open-tracking-store.js'
import { MlflowFileStore } from './file-store.js'

describe('MlflowFileStore on disk', () => {
  const tempDir = useTempDirs()

  it('writes what an independent reader of the MLflow format reads back', async () => {
    const root = path.join(await tempDir(), 'mlruns')
    let clock = 1795764149900
    const store = new MlflowFileStore(root, { now: () => clock++ })
    const { experimentId } = await getOrCreateExperiment(store, 'water-meter-segmentation')
    const run = await store.createRun({ experimentId, runName: 'abc1234-9f8e7d6c', startTime: 1795764149900 })
    await store.logBatch(run.runId, {
      params: { 'training.epochs': '6', note: 'multi\nline' },
      tags: { 'wms.data.version': 'images=aa.dir,masks=bb.dir' },
      metrics: [
        { key: 'train_loss', value: 0.9, timestamp: 1795764149913, step: 1 },
        { key: 'train_loss', value: 1e-5, timestamp: 1795764149914, step: 2 },
        { key: 'val/dice', value: NaN, timestamp: 1795764149915, step: 1 },
        { key: 'val/dice', value: Infinity, timestamp: 1795764149916, step: 2 },
      ],
    })
    const local = path.join(root, '..', 'model')
    await mkdir(local, { recursive: true })
    await writeFile(path.join(local, 'model.json'), '{}')
    await store.logArtifacts(run.runId, local, 'model')
    await store.updateRun(run.runId, { status: 'FINISHED', endTime: 1795764149999 })
    await store.createRegisteredModel('water-meter-segmentation')
    const version = await store.createModelVersion({
      name: 'water-meter-segmentation',
      source: `${run.artifactUri}/model`,
      runId: run.runId,
      tags: { 'gate.result': 'pass' },
    })
    await store.setRegisteredModelAlias('water-meter-segmentation', 'production', version.version)
    await store.transitionModelVersionStage('water-meter-segmentation', version.version, 'Production', true)

    const read = readMlflowFileStore(root)
    expect(read.experiments.map((experiment) => experiment.name).sort()).toEqual([
      'Default',
      'water-meter-segmentation',
    ])
    const experiment = read.experiments.find((candidate) => candidate.experimentId === experimentId)
    expect(experiment?.artifactLocation).toBe(`file://${root}/${experimentId}`)
    const readRun = experiment?.runs[0]
    expect(readRun).toMatchObject({
      runId: run.runId,
      runName: 'abc1234-9f8e7d6c',
      status: 'FINISHED',
      startTime: 1795764149900,
      endTime: 1795764149999,
      params: { 'training.epochs': '6', note: 'multi\nline' },
      tags: { 'wms.data.version': 'images=aa.dir,masks=bb.dir', 'mlflow.runName': 'abc1234-9f8e7d6c' },
      artifacts: ['model/model.json'],
    })
    expect(readRun?.metrics.train_loss).toEqual([
      { timestamp: 1795764149913, value: 0.9, step: 1 },
      { timestamp: 1795764149914, value: 1e-5, step: 2 },
    ])
    expect(readRun?.metrics['val/dice']?.[0]?.value).toBeNaN()
    expect(readRun?.metrics['val/dice']?.[1]?.value).toBe(Infinity)
    expect(read.models).toEqual([
      {
        name: 'water-meter-segmentation',
        tags: {},
        aliases: { production: 1 },
        versions: [
          {
            version: 1,
            currentStage: 'Production',
            source: `${run.artifactUri}/model`,
            runId: run.runId,
            status: 'READY',
            tags: { 'gate.result': 'pass' },
          },
        ],
      },
    ])
    // Byte-level details MLflow relies on.
    const metricFile = await readFile(path.join(root, experimentId, run.runId, 'metrics', 'train_loss'), 'utf8')
    expect(metricFile).toBe('1795764149913 0.9 1\n1795764149914 1e-05 2\n')
    expect(await readFile(path.join(root, 'models', 'water-meter-segmentation', 'aliases', 'production'), 'utf8')).toBe(
      '1',
    )
    const runMeta = await readFile(path.join(root, experimentId, run.runId, 'meta.yaml'), 'utf8')
    expect(runMeta).toContain(`experiment_id: '${experimentId}'`)
    expect(runMeta).toContain('status: 3\n')
    expect(await readFile(path.join(root, '0', 'meta.yaml'), 'utf8')).toContain("experiment_id: '0'")
  })

  it('reads a store written by hand the way MLflow accepts it', async () => {
    const root = path.join(await tempDir(), 'handmade')
    const write = async (file: string, text: string) => {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true })
      await writeFile(path.join(root, file), text)
    }
    await write(
      '0/meta.yaml',
      'artifact_location: file:///x/0\nexperiment_id: 0\nlifecycle_stage: active\nname: Default\n',
    )
    await write(
      '42/meta.yaml',
      `artifact_location: file://${root}/42\nexperiment_id: '42'\nlifecycle_stage: active\nname: hand\n`,
    )
    await write('42/tags/team', 'ts')
    await write(
      '42/r1/meta.yaml',
      `artifact_uri: file://${root}/42/r1/artifacts\nend_time: 5\nexperiment_id: '42'\nlifecycle_stage: active\nrun_id: r1\nrun_name: handrun\nrun_uuid: r1\nstart_time: 1\nstatus: 3\nuser_id: ''\n`,
    )
    await write('42/r1/metrics/loss', '1 0.5\n2 0.25 1\n')
    await write('42/r1/metrics/train/nanm', '3 nan 0\n')
    await write('42/r1/params/lr', '0.01')
    // A run whose meta names another experiment is ignored, as in MLflow ("Wrong experiment ID").
    await write(
      '42/r2/meta.yaml',
      `artifact_uri: file:///x\nexperiment_id: '7'\nlifecycle_stage: active\nrun_uuid: r2\nstart_time: 1\nuser_id: ''\n`,
    )
    await write('models/hand-model/meta.yaml', 'creation_timestamp: 1\nlast_updated_timestamp: 1\nname: hand-model\n')
    await write('models/hand-model/aliases/production', '2')
    await write(
      'models/hand-model/version-2/meta.yaml',
      `creation_timestamp: 1\ncurrent_stage: None\nlast_updated_timestamp: 1\nname: hand-model\nsource: file://${root}/42/r1/artifacts/model\nstatus: READY\nversion: 2\nrun_id: r1\n`,
    )
    // A version folder without meta.yaml (a crash while registering) is invisible.
    await mkdir(path.join(root, 'models/hand-model/version-3'), { recursive: true })

    const store = new MlflowFileStore(root)
    const experiment = await store.getExperimentByName('hand')
    expect(experiment).toMatchObject({ experimentId: '42', tags: { team: 'ts' } })
    const run = await store.getRun('r1')
    expect(run.info).toMatchObject({ runName: 'handrun', status: 'FINISHED', endTime: 5 })
    expect(run.metrics.loss).toEqual({ key: 'loss', value: 0.25, timestamp: 2, step: 1 })
    expect(run.metrics['train/nanm']?.value).toBeNaN()
    expect(run.params).toEqual({ lr: '0.01' })
    const page = await store.searchRuns({ experimentIds: ['42'] })
    expect(page.items.map((item) => item.info.runId)).toEqual(['r1'])
    expect(await store.getModelVersionByAlias('hand-model', 'production')).toMatchObject({ version: '2', runId: 'r1' })
    // The next version number is max(existing) + 1, skipping the half-made folder.
    const next = await store.createModelVersion({ name: 'hand-model', source: 'runs:/r1/model', runId: 'r1' })
    expect(next.version).toBe('4')
  })

  it('refuses keys and paths that would escape their folder', async () => {
    const store = new MlflowFileStore(path.join(await tempDir(), 'mlruns'))
    const { experimentId } = await getOrCreateExperiment(store, 'x')
    const { runId } = await store.createRun({ experimentId })
    await expect(store.logBatch(runId, { params: { '../escape': '1' } })).rejects.toMatchObject({
      code: 'tracking/invalid',
    })
    await expect(store.setRunTag(runId, '/abs', '1')).rejects.toMatchObject({ code: 'tracking/invalid' })
    await expect(store.downloadArtifacts(runId, '../../meta.yaml', '/tmp')).rejects.toMatchObject({
      code: 'tracking/invalid',
    })
    await expect(store.createRegisteredModel('a/b')).rejects.toMatchObject({ code: 'tracking/invalid' })
  })
})
