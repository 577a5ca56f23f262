import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { QaPolicySchema } from '@wms/shared/config/qa-policy'
import { assembleQaReport } from '@wms/shared/qa/report'
import { collectingSink } from '../events/event-sink.js'
import { openRepo, runGit } from '../adapters/git/run-git.js'
import { readMlflowFileStore } from '../../test/helpers/mlflow-filestore-reader.js'
import { startMlflowTestServer, type MlflowTestServer } from '../../test/helpers/mlflow-test-server.js'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { readWorkspaceConfig, writeWorkspaceConfig } from '../workspace/workspace-config-file.js'
import { MlflowFileStore } from './file-store/file-store.js'
import { collectRunTags, runNameFor } from './provenance.js'
import { MlflowRestStore } from './rest/rest-store.js'
import { startRun } from './run-logger.js'

const servers: MlflowTestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

describe('RunLogger', () => {
  const tempDir = useTempDirs()

  it('records a whole training run that mlflow ui can show: params, live metrics, tests, artifacts', async () => {
    const root = path.join(await tempDir(), 'mlruns')
    let clock = 1_000
    const store = new MlflowFileStore(root)
    const logger = await startRun(store, {
      experiment: 'wms',
      runName: 'abc1234-deadbeef',
      tags: { 'wms.backend': 'cpu' },
      now: () => clock++,
    })
    await logger.logParams({ imageSize: 64, augment: { hflip: 0.5, brightnessRange: [0.8, 1.2] } })
    for (const epoch of [1, 2, 3]) {
      await logger.logMetrics(
        { train_loss: 1 / epoch, val_loss: 1.1 / epoch, train_dice: 0.2 * epoch, val_dice: 0.19 * epoch },
        epoch,
      )
      // Live: each epoch is readable before the run ends.
      expect((await store.getMetricHistory(logger.runId, 'train_loss')).length).toBe(epoch)
    }
    await logger.logTestResults(
      {
        aggregate: { dice: 0.61, iou: 0.5, hausdorff: 12.5 },
        perImage: [
          { id: 'b', dice: 0.6, iou: 0.4 },
          { id: 'a,1', dice: 0.62, iou: 0.6 },
        ],
      },
      3,
    )
    const qa = assembleQaReport({
      inputs: ['data/training'],
      policy: QaPolicySchema.parse({}),
      samples: [],
      issues: [],
    })
    await logger.logQaReport(qa)
    await logger.logMetadata({ model_version: 'candidate' })
    await logger.finish()
    await logger.finish()

    const [experiment] = readMlflowFileStore(root).experiments.filter((candidate) => candidate.name === 'wms')
    const run = experiment?.runs[0]
    expect(run?.status).toBe('FINISHED')
    expect(run?.params).toEqual({ imageSize: '64', 'augment.hflip': '0.5', 'augment.brightnessRange': '[0.8,1.2]' })
    expect(run?.tags).toMatchObject({
      'wms.backend': 'cpu',
      'mlflow.runName': 'abc1234-deadbeef',
      'mlflow.source.name': 'training-runner',
    })
    expect(run?.metrics.final_test_dice).toEqual([{ timestamp: expect.any(Number) as number, value: 0.61, step: 3 }])
    expect(run?.metrics.final_test_hausdorff?.[0]?.value).toBe(12.5)
    expect(run?.artifacts).toEqual([
      'metadata/model-metadata.json',
      'metrics/per-image.csv',
      'plots/dice.svg',
      'plots/loss.svg',
      'reports/qa-report.json',
      'reports/qa-report.md',
    ])
    const artifacts = await store.artifactRoot(logger.runId)
    expect(await readFile(path.join(artifacts, 'metrics/per-image.csv'), 'utf8')).toBe(
      'id,dice,iou\n"a,1",0.62,0.6\nb,0.6,0.4\n',
    )
    const svg = await readFile(path.join(artifacts, 'plots/loss.svg'), 'utf8')
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    expect(svg).toContain('train_loss')
    expect(svg.match(/<path /g)).toHaveLength(2)
  })

  it('keeps live metrics while the server is down and sends them with the next update', async () => {
    const server = await startMlflowTestServer(await tempDir())
    servers.push(server)
    const store = new MlflowRestStore({ uri: server.url, retries: 0 })
    const events = collectingSink()
    const logger = await startRun(store, { experiment: 'wms', events })
    server.faults.push({ route: 'POST runs/log-batch', status: 503, times: 1 })
    await logger.logMetrics({ train_loss: 0.9 }, 1)
    expect(logger.pendingMetrics).toBe(1)
    expect(events.events.find((event) => event.type === 'log')).toMatchObject({ level: 'warn' })
    await logger.logMetrics({ train_loss: 0.5 }, 2)
    expect(logger.pendingMetrics).toBe(0)
    const history = await store.getMetricHistory(logger.runId, 'train_loss')
    expect(history.map((point) => [point.step, point.value])).toEqual([
      [1, 0.9],
      [2, 0.5],
    ])

    server.faults.push({ route: 'POST runs/log-batch', status: 503 })
    await logger.logMetrics({ train_loss: 0.4 }, 3)
    await expect(logger.finish()).rejects.toMatchObject({ code: 'tracking/unavailable' })
    server.faults.length = 0
    await logger.finish()
    expect((await store.getRun(logger.runId)).info.status).toBe('FINISHED')
  })

  it('uploads artifacts through the server proxy', async () => {
    const dir = await tempDir()
    const server = await startMlflowTestServer(path.join(dir, 'server'))
    servers.push(server)
    const store = new MlflowRestStore({ uri: server.url })
    const logger = await startRun(store, { experiment: 'wms' })
    const model = path.join(dir, 'model')
    await mkdir(path.join(model, 'w'), { recursive: true })
    await writeFile(path.join(model, 'model.json'), '{}')
    await writeFile(path.join(model, 'w', 'weights.bin'), Buffer.alloc(3000, 7))
    await logger.logArtifact(model, 'model')
    const puts = server.requests.filter((request) => request.method === 'PUT').map((request) => request.route)
    expect(puts).toEqual([
      `mlflow-artifacts/artifacts/${logger.experimentId}/${logger.runId}/artifacts/model/model.json`,
      `mlflow-artifacts/artifacts/${logger.experimentId}/${logger.runId}/artifacts/model/w/weights.bin`,
    ])
    const back = await store.downloadArtifactUri(`${logger.artifactUri}/model`, path.join(dir, 'back'))
    expect((await readFile(path.join(back, 'w', 'weights.bin'))).length).toBe(3000)
  })
})

describe('collectRunTags', () => {
  const tempDir = useTempDirs()

  it('tags the git commit, the .dvc md5s, counts, backend and runner version', async () => {
    const root = await tempDir()
    await writeWorkspaceConfig(root, {
      version: 1,
      name: 't',
      dataset: { remote: { type: 'local', path: '../r' } },
      tracking: { uri: 'file:../mlruns' },
    })
    await mkdir(path.join(root, 'data/training'), { recursive: true })
    await writeFile(
      path.join(root, 'data/training/images.dvc'),
      'outs:\n- md5: 0123456789abcdef0123456789abcdef.dir\n  size: 10\n  nfiles: 2\n  hash: md5\n  path: images\n',
    )
    const git = openRepo(root)
    await runGit('init', () => git.raw(['init', '--initial-branch=data/20260101-000000']))
    await runGit('config', () => git.addConfig('user.email', 't@example.invalid'))
    await runGit('config', () => git.addConfig('user.name', 't'))
    await runGit('add', () => git.add(['.']))
    await runGit('commit', () => git.commit('x'))
    const tags = await collectRunTags({
      workspaceRoot: root,
      config: await readWorkspaceConfig(root),
      backend: 'wasm',
      counts: { total: 20, train: 16, val: 2, test: 2 },
      env: { GITHUB_RUN_ID: '99', GITHUB_RUN_NUMBER: '7' },
    })
    expect(tags).toMatchObject({
      'wms.data.images_md5': '0123456789abcdef0123456789abcdef.dir',
      'wms.data.version': 'images=0123456789abcdef0123456789abcdef.dir,masks=none',
      'wms.data.pairs': '20',
      'wms.data.test_pairs': '2',
      'wms.backend': 'wasm',
      'wms.git.branch': 'data/20260101-000000',
      'wms.github.run': '99#7',
    })
    expect(tags['wms.git.sha']).toMatch(/^[0-9a-f]{40}$/)
    expect(tags['wms.runner.version']).toMatch(/^\d+\.\d+\.\d+/)
    expect(runNameFor(tags)).toMatch(
      new RegExp(`^${tags['wms.git.sha']?.slice(0, 7) ?? ''}-01234567-\\d{8}-\\d{6}-[0-9a-f]{6}$`),
    )
  })
})
