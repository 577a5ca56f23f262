import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { WmsError } from '@wms/shared/errors'
import { startMlflowTestServer, type MlflowTestServer } from '../../test/helpers/mlflow-test-server.js'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { MlflowFileStore } from './file-store/file-store.js'
import { getOrCreateExperiment } from './open-tracking-store.js'
import { MlflowRestStore } from './rest/rest-store.js'
import type { TrackingStore } from './tracking-store.js'

/** The same behaviour from both adapters: the FileStore directly, and the REST client against the test server. */

const servers: MlflowTestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

const adapters: [string, (dir: string) => Promise<TrackingStore>][] = [
  ['FileStore', (dir) => Promise.resolve(new MlflowFileStore(path.join(dir, 'mlruns')))],
  [
    'REST',
    async (dir) => {
      const server = await startMlflowTestServer(dir)
      servers.push(server)
      return new MlflowRestStore({ uri: server.url, retries: 0 })
    },
  ],
]

async function expectCode(promise: Promise<unknown>, code: string): Promise<WmsError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  expect(error).toBeInstanceOf(WmsError)
  expect((error as WmsError).code).toBe(code)
  return error as WmsError
}

describe.each(adapters)('TrackingStore contract: %s', (_name, open) => {
  const tempDir = useTempDirs()

  it('creates experiments once and finds them by name', async () => {
    const store = await open(await tempDir())
    expect(await store.getExperimentByName('wms')).toBeUndefined()
    const experiment = await getOrCreateExperiment(store, 'wms')
    expect(experiment.experimentId).toMatch(/^\d{18}$/)
    expect((await getOrCreateExperiment(store, 'wms')).experimentId).toBe(experiment.experimentId)
    await expectCode(store.createExperiment('wms'), 'tracking/already-exists')
  })

  it('logs params, metrics (NaN included) and tags, and reads them back', async () => {
    const store = await open(await tempDir())
    const { experimentId } = await getOrCreateExperiment(store, 'wms')
    const info = await store.createRun({ experimentId, runName: 'r1', startTime: 1000, tags: { 'wms.backend': 'cpu' } })
    expect(info).toMatchObject({ runName: 'r1', status: 'RUNNING', startTime: 1000 })
    expect(info.runId).toMatch(/^[0-9a-f]{32}$/)
    expect(info.endTime).toBeUndefined()
    await store.logBatch(info.runId, {
      params: { lr: '0.01', 'training.augment.hflip': '0.5' },
      tags: { stage: 'dev' },
      metrics: [
        { key: 'loss', value: 0.9, timestamp: 1, step: 0 },
        { key: 'loss', value: 0.5, timestamp: 2, step: 1 },
        { key: 'train/dice', value: NaN, timestamp: 3, step: 1 },
      ],
    })
    await store.logBatch(info.runId, { params: { lr: '0.01' } })
    await expectCode(store.logBatch(info.runId, { params: { lr: '0.02' } }), 'tracking/invalid')
    const run = await store.getRun(info.runId)
    expect(run.params).toEqual({ lr: '0.01', 'training.augment.hflip': '0.5' })
    expect(run.tags).toMatchObject({ stage: 'dev', 'wms.backend': 'cpu', 'mlflow.runName': 'r1' })
    expect(run.metrics.loss).toEqual({ key: 'loss', value: 0.5, timestamp: 2, step: 1 })
    expect(run.metrics['train/dice']?.value).toBeNaN()
    const history = await store.getMetricHistory(info.runId, 'loss')
    expect(history.map((point) => [point.step, point.value])).toEqual([
      [0, 0.9],
      [1, 0.5],
    ])
    const done = await store.updateRun(info.runId, { status: 'FINISHED', endTime: 2000 })
    expect(done).toMatchObject({ status: 'FINISHED', endTime: 2000 })
    await expectCode(store.getRun('0123456789abcdef0123456789abcdef'), 'tracking/not-found')
  })

  it('lists runs newest first with page tokens', async () => {
    const store = await open(await tempDir())
    const { experimentId } = await getOrCreateExperiment(store, 'wms')
    for (const startTime of [10, 30, 20]) await store.createRun({ experimentId, startTime })
    const first = await store.searchRuns({ experimentIds: [experimentId], maxResults: 2 })
    expect(first.items.map((run) => run.info.startTime)).toEqual([30, 20])
    expect(first.nextPageToken).toBeDefined()
    const second = await store.searchRuns({
      experimentIds: [experimentId],
      maxResults: 2,
      ...(first.nextPageToken === undefined ? {} : { pageToken: first.nextPageToken }),
    })
    expect(second.items.map((run) => run.info.startTime)).toEqual([10])
    expect(second.nextPageToken).toBeUndefined()
  })

  it('stores artifact files and folders and downloads them again', async () => {
    const dir = await tempDir()
    const store = await open(dir)
    const { experimentId } = await getOrCreateExperiment(store, 'wms')
    const { runId } = await store.createRun({ experimentId })
    const model = path.join(dir, 'local', 'model')
    await mkdir(path.join(model, 'weights'), { recursive: true })
    await writeFile(path.join(model, 'model.json'), '{"format":"layers-model"}')
    await writeFile(path.join(model, 'weights', 'group1.bin'), Buffer.from([1, 2, 3]))
    await writeFile(path.join(dir, 'local', 'report.csv'), 'id,dice\na,0.5\n')
    await store.logArtifacts(runId, model, 'model')
    await store.logArtifacts(runId, path.join(dir, 'local', 'report.csv'), 'metrics')
    expect(await store.listArtifacts(runId)).toEqual([
      { path: 'metrics', isDir: true },
      { path: 'model', isDir: true },
    ])
    expect(await store.listArtifacts(runId, 'metrics')).toEqual([
      { path: 'metrics/report.csv', isDir: false, fileSize: 14 },
    ])
    const out = path.join(dir, 'out')
    const downloaded = await store.downloadArtifacts(runId, 'model', out)
    expect(await readFile(path.join(downloaded, 'weights', 'group1.bin'))).toEqual(Buffer.from([1, 2, 3]))
    const file = await store.downloadArtifacts(runId, 'metrics/report.csv', path.join(dir, 'out2'))
    expect(await readFile(file, 'utf8')).toBe('id,dice\na,0.5\n')
    const viaUri = await store.downloadArtifactUri(`runs:/${runId}/model`, path.join(dir, 'out3'))
    expect(await readFile(path.join(viaUri, 'model.json'), 'utf8')).toContain('layers-model')
    await expectCode(store.downloadArtifacts(runId, 'missing', path.join(dir, 'out4')), 'tracking/not-found')
  })

  it('registers versions, moves aliases and stages, and tags versions', async () => {
    const dir = await tempDir()
    const store = await open(dir)
    const { experimentId } = await getOrCreateExperiment(store, 'wms')
    const run = await store.createRun({ experimentId })
    expect(await store.getRegisteredModel('wms-model')).toBeUndefined()
    await store.createRegisteredModel('wms-model', { description: 'd' })
    await expectCode(store.createRegisteredModel('wms-model'), 'tracking/already-exists')
    const source = `${run.artifactUri}/model`
    const v1 = await store.createModelVersion({
      name: 'wms-model',
      source,
      runId: run.runId,
      tags: { 'gate.result': 'pass' },
    })
    const v2 = await store.createModelVersion({
      name: 'wms-model',
      source: `runs:/${run.runId}/model`,
      runId: run.runId,
    })
    expect([v1.version, v2.version]).toEqual(['1', '2'])
    expect(v1).toMatchObject({
      currentStage: 'None',
      status: 'READY',
      runId: run.runId,
      tags: { 'gate.result': 'pass' },
    })

    expect(await store.getModelVersionByAlias('wms-model', 'production')).toBeUndefined()
    await store.setRegisteredModelAlias('wms-model', 'production', '1')
    expect(await store.getModelVersionByAlias('wms-model', 'production')).toMatchObject({
      version: '1',
      aliases: ['production'],
    })
    await store.setRegisteredModelAlias('wms-model', 'production', '2')
    expect((await store.getModelVersionByAlias('wms-model', 'production'))?.version).toBe('2')
    expect((await store.getRegisteredModel('wms-model'))?.aliases).toEqual({ production: '2' })
    await expectCode(store.setRegisteredModelAlias('wms-model', 'latest', '1'), 'tracking/invalid')
    await store.deleteRegisteredModelAlias('wms-model', 'production')
    expect(await store.getModelVersionByAlias('wms-model', 'production')).toBeUndefined()
    await expectCode(store.getModelVersionByAlias('no-such-model', 'production'), 'tracking/not-found')

    await store.transitionModelVersionStage('wms-model', '1', 'Production', false)
    await store.transitionModelVersionStage('wms-model', '2', 'Production', true)
    expect((await store.getModelVersion('wms-model', '1')).currentStage).toBe('Archived')
    const latest = await store.getLatestVersions('wms-model', ['Production'])
    expect(latest.map((version) => version.version)).toEqual(['2'])

    await store.setModelVersionTag('wms-model', '2', 'promoted_at', '2026-01-01T00:00:00Z')
    expect((await store.getModelVersion('wms-model', '2')).tags).toMatchObject({ promoted_at: '2026-01-01T00:00:00Z' })
    const found = await store.searchModelVersions('wms-model', { runId: run.runId })
    expect(found.map((version) => version.version)).toEqual(['2', '1'])
    expect(await store.searchModelVersions('wms-model', { runId: 'other' })).toEqual([])
    expect(await store.getModelVersionDownloadUri('wms-model', '1')).toBe(source)
    await expectCode(store.getModelVersion('wms-model', '9'), 'tracking/not-found')
  })
})
