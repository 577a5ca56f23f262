import { mkdir, readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { WorkspaceConfig } from '@wms/shared/config/workspace-config'
import { WmsError } from '@wms/shared/errors'
import { parseProductionHistory } from '@wms/shared/formats/model-metadata'
import { collectingSink } from '../events/event-sink.js'
import { fakePorts, fakeTrainingRun, type FakeScores } from '../../test/helpers/fake-training.js'
import { startMlflowTestServer, type MlflowTestServer } from '../../test/helpers/mlflow-test-server.js'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { MlflowFileStore } from '../tracking/file-store/file-store.js'
import type { TrackingStore } from '../tracking/tracking-store.js'
import { readWorkspaceConfig, writeWorkspaceConfig } from '../workspace/workspace-config-file.js'
import { runGate } from './gate-workflow.js'
import { readHistory, renderHistoryText } from './history.js'
import { openWorkspaceTracking } from './open-workspace-tracking.js'
import { promote } from './promote.js'
import { resolveProduction } from './resolve-production.js'
import { rollback } from './rollback.js'

const IDS = ['a', 'b', 'c']
const scores = (dice: number, iou: number, worseOn?: string): FakeScores =>
  Object.fromEntries(IDS.map((id) => [id, id === worseOn ? [dice - 0.3, iou - 0.3] : [dice, iou]]))

const servers: MlflowTestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

interface Fixture {
  root: string
  config: WorkspaceConfig
  store: TrackingStore
  server?: MlflowTestServer
  train: (scores: FakeScores, options?: { broken?: boolean }) => Promise<string>
}

const backends: [string, (dir: string) => Promise<{ uri: string; server?: MlflowTestServer }>][] = [
  ['FileStore', () => Promise.resolve({ uri: 'file:../mlruns' })],
  [
    'REST',
    async (dir) => {
      const server = await startMlflowTestServer(path.join(dir, 'server'))
      servers.push(server)
      return { uri: server.url, server }
    },
  ],
]

describe.each(backends)('train → gate → promote → rollback (%s)', (_name, backend) => {
  const tempDir = useTempDirs()

  async function fixture(): Promise<Fixture> {
    const dir = await tempDir()
    const root = path.join(dir, 'workspace')
    const { uri, server } = await backend(dir)
    await mkdir(root, { recursive: true })
    await writeWorkspaceConfig(root, {
      version: 1,
      name: 'test',
      dataset: { remote: { type: 'local', path: '../dvc-remote' } },
      tracking: { uri, experiment: 'wms', registeredModel: 'wms-model' },
    })
    const { config, store } = await openWorkspaceTracking(root, { env: {} })
    const train = (s: FakeScores, options: { broken?: boolean } = {}) =>
      fakeTrainingRun(store, { experiment: 'wms', workDir: path.join(dir, 'models'), scores: s, ...options })
    return { root, config, store, train, ...(server === undefined ? {} : { server }) }
  }

  const gate = (f: Fixture, runId: string, extra: { allowBootstrap?: boolean } = {}) =>
    runGate({
      store: f.store,
      workspaceRoot: f.root,
      config: f.config,
      candidateRunId: runId,
      ports: fakePorts(IDS),
      ...extra,
    })

  it('promotes a first model, then only a better one, records history, and rolls back', async () => {
    const f = await fixture()
    const first = await f.train(scores(0.5, 0.4))
    const events = collectingSink()
    const firstGate = await runGate({
      store: f.store,
      workspaceRoot: f.root,
      config: f.config,
      candidateRunId: first,
      ports: fakePorts(IDS),
      events,
    })
    expect(firstGate.verdict).toMatchObject({ pass: true, outcome: 'first-model' })
    expect(events.events.find((event) => event.type === 'gate')).toMatchObject({ pass: true, outcome: 'first-model' })
    // Only promoted runs get registered versions.
    expect(await f.store.getRegisteredModel('wms-model')).toBeUndefined()
    const p1 = await promote({
      store: f.store,
      workspaceRoot: f.root,
      config: f.config,
      runId: first,
      source: { branch: 'data/20260101-000000', pr: 7 },
    })
    expect(p1).toMatchObject({
      version: '1',
      previousVersion: null,
      createdVersion: true,
      pointer: 'alias',
      historyAppended: true,
    })

    // Idempotent: a rerun changes nothing and adds no history line.
    const again = await promote({ store: f.store, workspaceRoot: f.root, config: f.config, runId: first })
    expect(again).toMatchObject({
      version: '1',
      alreadyProduction: true,
      createdVersion: false,
      historyAppended: false,
    })

    const better = await f.train(scores(0.7, 0.6, 'c'))
    const worse = await f.train(scores(0.45, 0.35))
    const betterGate = await gate(f, better)
    expect(betterGate.verdict).toMatchObject({
      pass: true,
      outcome: 'improved',
      production: { version: '1', via: 'alias' },
    })
    expect(betterGate.verdict.perImage).toMatchObject({ compared: 3, improved: 2, regressed: 1 })
    expect(betterGate.verdict.perImage?.worst[0]?.id).toBe('c')
    const worseGate = await gate(f, worse)
    expect(worseGate.verdict).toMatchObject({ pass: false, outcome: 'not-improved' })
    await expect(
      promote({ store: f.store, workspaceRoot: f.root, config: f.config, runId: worse }),
    ).rejects.toMatchObject({
      code: 'promote/not-gated',
    })
    expect(await f.store.searchModelVersions('wms-model', { runId: worse })).toEqual([])

    const p2 = await promote({ store: f.store, workspaceRoot: f.root, config: f.config, runId: better })
    expect(p2).toMatchObject({ version: '2', previousVersion: '1' })
    const v2 = await f.store.getModelVersion('wms-model', '2')
    expect(v2.tags).toMatchObject({
      'gate.result': 'pass',
      'gate.outcome': 'improved',
      'gate.baseline_version': '1',
      'data.version': 'images=aaa.dir,masks=bbb.dir',
      replaced_version: '1',
    })
    expect(Number(v2.tags['gate.dice_delta'])).toBeGreaterThan(0)

    const metadata = JSON.parse(await readFile(path.join(f.root, 'model-metadata.json'), 'utf8')) as Record<
      string,
      unknown
    >
    expect(metadata).toMatchObject({
      model_version: '2',
      run_id: better,
      baseline: { dice: 0.5, iou: expect.closeTo(0.4, 9) as number },
      training_data_count: 20,
      registered_model: 'wms-model',
      previous_version: '1',
    })
    expect(typeof metadata.trained_at).toBe('string')

    const rolled = await rollback({
      store: f.store,
      workspaceRoot: f.root,
      config: f.config,
      version: '1',
      reason: 'v2 breaks rotated meters',
    })
    expect(rolled).toMatchObject({ version: '1', previousVersion: '2', historyAppended: true })
    expect((await resolveProduction(f.store, { modelName: 'wms-model', workspaceRoot: f.root })).kind).toBe('found')
    expect((await f.store.getModelVersionByAlias('wms-model', 'production'))?.version).toBe('1')
    const rerun = await rollback({ store: f.store, workspaceRoot: f.root, config: f.config, version: '1' })
    expect(rerun).toMatchObject({ alreadyProduction: true, historyAppended: false })

    const text = await readFile(path.join(f.root, 'models', 'production-history.jsonl'), 'utf8')
    expect(
      text
        .split('\n')
        .filter((line) => line !== '')
        .every((line) => line.startsWith('{')),
    ).toBe(true)
    const { entries, problems } = parseProductionHistory(text)
    expect(problems).toEqual([])
    expect(entries.map((entry) => [entry.event, entry.version, entry.previous_version])).toEqual([
      ['promote', 1, null],
      ['promote', 2, 1],
      ['rollback', 1, 2],
    ])
    expect(entries[0]).toMatchObject({ source_branch: 'data/20260101-000000', pr: 7, gate_outcome: 'first-model' })

    const history = await readHistory({ store: f.store, workspaceRoot: f.root, config: f.config })
    expect(history.currentVersion).toBe('1')
    expect(history.items.filter((item) => item.current).map((item) => item.event)).toEqual(['rollback'])
    const rendered = renderHistoryText(history)
    expect(rendered).toContain('Production now: v1 (registry)')
    expect(rendered).toMatch(/\* .*rollback\s+v1/)
  })

  it('gates exactly the given run, not the latest one in the experiment', async () => {
    const f = await fixture()
    const candidate = await f.train(scores(0.6, 0.5))
    await f.train(scores(0.9, 0.9))
    const result = await gate(f, candidate)
    expect(result.verdict.candidate).toMatchObject({ runId: candidate, dice: 0.6, iou: 0.5 })
  })

  it('refuses to promote when production moved after the gate ran', async () => {
    const f = await fixture()
    const first = await f.train(scores(0.5, 0.4))
    await gate(f, first)
    await promote({ store: f.store, workspaceRoot: f.root, config: f.config, runId: first })
    const second = await f.train(scores(0.6, 0.5))
    const third = await f.train(scores(0.7, 0.6))
    await gate(f, second)
    await gate(f, third)
    await promote({ store: f.store, workspaceRoot: f.root, config: f.config, runId: second })
    const error = await promote({ store: f.store, workspaceRoot: f.root, config: f.config, runId: third }).catch(
      (thrown: unknown) => thrown,
    )
    expect(error).toBeInstanceOf(WmsError)
    expect(error).toMatchObject({ code: 'promote/production-moved' })
    expect((error as WmsError).message).toContain('gated against v1, now v2')
  })

  it('fails closed when the production model cannot be evaluated, and bootstraps only when asked', async () => {
    const f = await fixture()
    const first = await f.train(scores(0.5, 0.4), { broken: true })
    // A broken candidate never passes, not even with bootstrapping allowed.
    expect((await gate(f, first, { allowBootstrap: true })).verdict.outcome).toBe('invalid-candidate')
    // Make it production anyway (as if it broke after its promotion), through an explicit verdict.
    const good = await f.train(scores(0.9, 0.9))
    const firstVerdict = {
      ...(await gate(f, good)).verdict,
      candidate: { runId: first, dice: 0.5, iou: 0.4 },
    }
    await promote({ store: f.store, workspaceRoot: f.root, config: f.config, runId: first, verdict: firstVerdict })
    const closed = await gate(f, good)
    expect(closed.verdict).toMatchObject({ pass: false, outcome: 'baseline-unavailable' })
    expect(closed.verdict.reasons[0]).toContain('Production v1')
    expect(closed.verdict.reasons[0]).toContain('the model file is corrupt')
    const allowed = await gate(f, good, { allowBootstrap: true })
    expect(allowed.verdict).toMatchObject({ pass: true, outcome: 'bootstrap' })
  })

  it('survives a crash in the middle of a promotion: the rerun finishes without duplicates', async () => {
    const f = await fixture()
    const run = await f.train(scores(0.5, 0.4))
    await gate(f, run)
    let failures = 1
    const crashing: TrackingStore = Object.create(f.store) as TrackingStore
    crashing.setRegisteredModelAlias = async (...args) => {
      if (failures-- > 0) throw new WmsError('tracking/unavailable', 'connection reset', { retryable: true })
      return f.store.setRegisteredModelAlias(...args)
    }
    await expect(
      promote({ store: crashing, workspaceRoot: f.root, config: f.config, runId: run }),
    ).rejects.toMatchObject({
      code: 'tracking/unavailable',
    })
    const result = await promote({ store: crashing, workspaceRoot: f.root, config: f.config, runId: run })
    expect(result).toMatchObject({ version: '1', createdVersion: false, alreadyProduction: false })
    expect(await f.store.searchModelVersions('wms-model')).toHaveLength(1)
    const { entries } = parseProductionHistory(
      await readFile(path.join(f.root, 'models', 'production-history.jsonl'), 'utf8'),
    )
    expect(entries).toHaveLength(1)
  })
})

describe('gate against an unreachable or half-broken registry (REST)', () => {
  const tempDir = useTempDirs()

  async function restWorkspace() {
    const dir = await tempDir()
    const server = await startMlflowTestServer(path.join(dir, 'server'))
    servers.push(server)
    const root = path.join(dir, 'workspace')
    await mkdir(root, { recursive: true })
    await writeWorkspaceConfig(root, {
      version: 1,
      name: 'test',
      dataset: { remote: { type: 'local', path: '../dvc-remote' } },
      tracking: { uri: server.url, experiment: 'wms', registeredModel: 'wms-model' },
    })
    const config = await readWorkspaceConfig(root)
    const { store } = await openWorkspaceTracking(root, { env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' } })
    return { dir, server, root, config, store }
  }

  it('fails closed with the reason when the registry is down', async () => {
    const { dir, server, root, config, store } = await restWorkspace()
    const run = await fakeTrainingRun(store, {
      experiment: 'wms',
      workDir: path.join(dir, 'models'),
      scores: scores(0.9, 0.9),
    })
    server.faults.push({ route: 'GET registered-models/alias', status: 503 })
    const result = await runGate({ store, workspaceRoot: root, config, candidateRunId: run, ports: fakePorts(IDS) })
    expect(result.verdict).toMatchObject({ pass: false, outcome: 'baseline-unavailable' })
    expect(result.verdict.reasons[0]).toMatch(/Cannot read the production alias of wms-model: .*HTTP 503/)
  })

  it('falls back to the legacy Production stage when the server has no alias endpoint', async () => {
    const { dir, server, root, config, store } = await restWorkspace()
    const old = await fakeTrainingRun(store, {
      experiment: 'wms',
      workDir: path.join(dir, 'models'),
      scores: scores(0.5, 0.4),
    })
    await store.createRegisteredModel('wms-model')
    const v1 = await store.createModelVersion({ name: 'wms-model', source: `runs:/${old}/model`, runId: old })
    await store.transitionModelVersionStage('wms-model', v1.version, 'Production', true)
    server.faults.push({ route: 'GET registered-models/alias', status: 404, body: '<!doctype html>Not Found' })
    server.faults.push({ route: 'POST registered-models/alias', status: 404, body: '<!doctype html>Not Found' })
    const candidate = await fakeTrainingRun(store, {
      experiment: 'wms',
      workDir: path.join(dir, 'models'),
      scores: scores(0.6, 0.5),
    })
    const result = await runGate({
      store,
      workspaceRoot: root,
      config,
      candidateRunId: candidate,
      ports: fakePorts(IDS),
    })
    expect(result.verdict).toMatchObject({ pass: true, production: { via: 'stage', version: '1' } })
    const promoted = await promote({ store, workspaceRoot: root, config, runId: candidate })
    expect(promoted).toMatchObject({ version: '2', pointer: 'stage', previousVersion: '1' })
    expect((await store.getModelVersion('wms-model', '1')).currentStage).toBe('Archived')
  })
})

describe('production from model-metadata.json', () => {
  const tempDir = useTempDirs()

  it('treats the old placeholder as no model, and a named run as production', async () => {
    const dir = await tempDir()
    const root = path.join(dir, 'workspace')
    await mkdir(root, { recursive: true })
    await writeWorkspaceConfig(root, {
      version: 1,
      name: 'test',
      dataset: { remote: { type: 'local', path: '../dvc-remote' } },
      tracking: { uri: 'file:../mlruns', experiment: 'wms', registeredModel: 'wms-model' },
    })
    const config = await readWorkspaceConfig(root)
    const store = new MlflowFileStore(path.join(dir, 'mlruns'))
    const placeholder = {
      model_version: 'initial',
      run_id: null,
      metrics: { dice: 0, iou: 0 },
      baseline: { dice: 0, iou: 0 },
    }
    const { writeModelMetadataFile } = await import('./workspace-files.js')
    await writeModelMetadataFile(root, placeholder)
    expect(await resolveProduction(store, { modelName: 'wms-model', workspaceRoot: root })).toMatchObject({
      kind: 'none',
    })

    const old = await fakeTrainingRun(store, {
      experiment: 'wms',
      workDir: path.join(dir, 'models'),
      scores: scores(0.5, 0.4),
    })
    await writeModelMetadataFile(root, {
      ...placeholder,
      model_version: 'abc1234',
      run_id: old,
      metrics: { dice: 0.5, iou: 0.4 },
    })
    const candidate = await fakeTrainingRun(store, {
      experiment: 'wms',
      workDir: path.join(dir, 'models'),
      scores: scores(0.45, 0.5),
    })
    const result = await runGate({
      store,
      workspaceRoot: root,
      config,
      candidateRunId: candidate,
      ports: fakePorts(IDS),
    })
    expect(result.verdict).toMatchObject({
      pass: false,
      outcome: 'not-improved',
      production: { via: 'metadata', runId: old },
    })

    // The run it names is gone: production is unreadable, so the gate fails closed.
    await rm(path.join(dir, 'mlruns', (await store.getRun(old)).info.experimentId, old), { recursive: true })
    const closed = await runGate({
      store,
      workspaceRoot: root,
      config,
      candidateRunId: candidate,
      ports: fakePorts(IDS),
    })
    expect(closed.verdict.outcome).toBe('baseline-unavailable')
    await writeModelMetadataFile(root, placeholder)
    const { writeFile } = await import('node:fs/promises')
    await writeFile(path.join(root, 'model-metadata.json'), '{ broken')
    expect(await resolveProduction(store, { modelName: 'wms-model', workspaceRoot: root })).toMatchObject({
      kind: 'unavailable',
    })
  })
})
