import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WmsError } from '@wms/shared/errors'
import { fakePorts, fakeTrainingRun, type FakeScores } from '../../../test/helpers/fake-training.js'
import { startMlflowTestServer, type MlflowTestServer } from '../../../test/helpers/mlflow-test-server.js'
import { startS3Server, TEST_CREDENTIALS, type TestS3Server } from '../../../test/helpers/s3-server.js'
import { useTempDirs } from '../../../test/helpers/temp-dir.js'
import { runGate } from '../../registry/gate-workflow.js'
import { openWorkspaceTracking } from '../../registry/open-workspace-tracking.js'
import { promote } from '../../registry/promote.js'
import { writeWorkspaceConfig } from '../../workspace/workspace-config-file.js'
import { MlflowFileStore } from '../file-store/file-store.js'
import { startRun } from '../run-logger.js'
import type { TrackingStore } from '../tracking-store.js'
import { s3SettingsFromEnv } from './s3-artifacts.js'

/**
 * The artifact roots MLflow users run, end to end (log → gate downloads the candidate → promote registers → the
 * next gate downloads production from the registered source): proxied is covered by every other REST test; here
 * `file:` roots written directly, and `s3://` roots through the S3 adapter, with a server and with a FileStore.
 */

const IDS = ['a', 'b']
const scores = (dice: number): FakeScores => ({ a: [dice, dice - 0.1], b: [dice, dice - 0.1] })
const BUCKET = 'mlflow-artifacts'

let s3: TestS3Server
beforeAll(async () => {
  s3 = await startS3Server(BUCKET)
})
afterAll(async () => {
  await s3.close()
})
const servers: MlflowTestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

/** What an MLflow user with an S3-compatible artifact store sets (no credentials in the config). */
const s3Env = (): NodeJS.ProcessEnv => ({
  MLFLOW_S3_ENDPOINT_URL: s3.endpoint,
  AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
  AWS_DEFAULT_REGION: 'eu-central-1',
  MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0',
})

async function workspaceOn(dir: string, uri: string): Promise<string> {
  const root = path.join(dir, 'workspace')
  await mkdir(root, { recursive: true })
  await writeWorkspaceConfig(root, {
    version: 1,
    name: 'roots',
    dataset: { remote: { type: 'local', path: '../dvc' } },
    tracking: { uri, experiment: 'wms', registeredModel: 'wms-model' },
  })
  return root
}

/** Trains (fake), gates, promotes, then gates a second candidate against the registered production model. */
async function fullLoop(root: string, env: NodeJS.ProcessEnv, workDir: string): Promise<{ store: TrackingStore }> {
  const { store, config } = await openWorkspaceTracking(root, { env })
  const gate = (runId: string) =>
    runGate({ store, workspaceRoot: root, config, candidateRunId: runId, ports: fakePorts(IDS) })
  const first = await fakeTrainingRun(store, { experiment: 'wms', workDir, scores: scores(0.6) })
  expect((await gate(first)).verdict.outcome).toBe('first-model')
  await promote({ store, workspaceRoot: root, config, runId: first })
  const second = await fakeTrainingRun(store, { experiment: 'wms', workDir, scores: scores(0.7) })
  const verdict = (await gate(second)).verdict
  expect(verdict).toMatchObject({ pass: true, outcome: 'improved', production: { version: '1', dice: 0.6 } })
  return { store }
}

describe('artifact roots this client writes itself', () => {
  const tempDir = useTempDirs()

  it('a server with a local root on a disk both share (mlflow server --no-serve-artifacts --default-artifact-root /srv/…)', async () => {
    const dir = await tempDir()
    const artifacts = path.join(dir, 'shared-artifacts')
    // MLflow records a local root as a plain path.
    const server = await startMlflowTestServer(path.join(dir, 'server'), {
      defaultArtifactRoot: artifacts,
      serveArtifacts: false,
    })
    servers.push(server)
    const root = await workspaceOn(dir, server.url)
    const { store } = await fullLoop(root, { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' }, path.join(dir, 'models'))
    const [version] = await store.searchModelVersions('wms-model')
    expect(version?.source).toBe(`${artifacts}/${version?.source.split('/').slice(-4).join('/') ?? ''}`)
    expect(version?.source).toMatch(/\/artifacts\/model$/)
    const [experiment] = (await readdir(artifacts)).filter((name) => /^\d+$/.test(name))
    const runs = await readdir(path.join(artifacts, experiment ?? ''))
    expect(runs).toHaveLength(2)
    // Nothing went through the server's artifact proxy (it is off, as with --no-serve-artifacts).
    expect(server.requests.some((request) => request.route.startsWith('mlflow-artifacts'))).toBe(false)
  })

  it('a server whose file: root this machine writes but the server cannot see is refused at once', async () => {
    const dir = await tempDir()
    const server = await startMlflowTestServer(path.join(dir, 'server'), {
      defaultArtifactRoot: pathToFileURL(path.join(dir, 'srv', 'artifacts')).href,
      serverDisk: path.join(dir, 'server-machine'),
    })
    servers.push(server)
    const root = await workspaceOn(dir, server.url)
    const { store } = await openWorkspaceTracking(root, { env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' } })
    const logger = await startRun(store, { experiment: 'wms' })
    await logger.logText('config/training.json', '{}')
    const error = await store.checkArtifactVisible(logger.runId, 'config/training.json').catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'tracking/unsupported' })
    expect((error as WmsError).message).toContain('the server does not see what was written there')
    expect((error as WmsError).hint).toContain('--serve-artifacts')
  })

  it('a file: root this machine cannot write says which folder and what to change', async () => {
    const dir = await tempDir()
    await writeFile(path.join(dir, 'not-a-folder'), 'x')
    const server = await startMlflowTestServer(path.join(dir, 'server'), {
      defaultArtifactRoot: pathToFileURL(path.join(dir, 'not-a-folder', 'artifacts')).href,
    })
    servers.push(server)
    const root = await workspaceOn(dir, server.url)
    const { store } = await openWorkspaceTracking(root, { env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' } })
    const logger = await startRun(store, { experiment: 'wms' })
    const error = await logger.logText('config/training.json', '{}').catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'tracking/unsupported' })
    expect((error as WmsError).message).toMatch(/Cannot write the artifact .*not-a-folder.* \(ENOTDIR\)/)
  })

  it('a server with an s3:// root: artifacts go straight to S3 with MLflow’s and AWS’s variables', async () => {
    const dir = await tempDir()
    const server = await startMlflowTestServer(path.join(dir, 'server'), {
      defaultArtifactRoot: `s3://${BUCKET}/mlflow`,
      serveArtifacts: false,
    })
    servers.push(server)
    const root = await workspaceOn(dir, server.url)
    const { store } = await fullLoop(root, s3Env(), path.join(dir, 'models'))
    const [version] = await store.searchModelVersions('wms-model')
    expect(version?.source).toMatch(new RegExp(`^s3://${BUCKET}/mlflow/\\d+/[0-9a-f]{32}/artifacts/model$`))
    const keys = await s3.keys()
    expect(keys.filter((key) => key.endsWith('/artifacts/model/scores.json'))).toHaveLength(2)
    expect(keys.filter((key) => key.endsWith('/artifacts/gate/verdict.json'))).toHaveLength(2)
  })

  it('a FileStore whose experiment keeps artifacts in S3 reads and writes them there', async () => {
    const dir = await tempDir()
    // An experiment created by MLflow with an s3 artifact location (mlflow.create_experiment(…, artifact_location=…)).
    const mlruns = path.join(dir, 'mlruns')
    const creator = new MlflowFileStore(mlruns, {
      defaultArtifactRoot: `s3://${BUCKET}/filestore`,
      s3: s3SettingsFromEnv(s3Env()),
    })
    await creator.createExperiment('wms')
    const root = await workspaceOn(dir, 'file:../mlruns')
    await fullLoop(root, s3Env(), path.join(dir, 'models'))
    expect((await s3.keys()).filter((key) => key.startsWith('filestore/'))).not.toHaveLength(0)
    expect(await readdir(path.join(mlruns))).not.toContain('artifacts')
  })

  it('a missing bucket, or a store this client cannot use, fails before a run exists', async () => {
    const dir = await tempDir()
    for (const [rootUri, message] of [
      ['s3://no-such-bucket/mlflow', /MLflow artifacts at s3:\/\/no-such-bucket\/mlflow.*\(endpoint http/],
      ['gs://models/mlflow', /the gs artifact store is not supported/],
    ] as const) {
      const server = await startMlflowTestServer(path.join(dir, rootUri.slice(0, 2)), {
        defaultArtifactRoot: rootUri,
        serveArtifacts: false,
      })
      servers.push(server)
      const root = await workspaceOn(path.join(dir, rootUri.slice(0, 2)), server.url)
      const { store } = await openWorkspaceTracking(root, { env: s3Env() })
      const outcome = await startRun(store, { experiment: 'wms' })
        .then((logger) => logger.logText('config/training.json', '{}'))
        .catch((e: unknown) => e)
      expect(outcome).toBeInstanceOf(WmsError)
      expect((outcome as WmsError).message).toMatch(message)
      if (rootUri.startsWith('gs:')) {
        const experiment = await store.getExperimentByName('wms')
        expect((await store.searchRuns({ experimentIds: [experiment?.experimentId ?? ''] })).items).toEqual([])
      }
    }
    expect(await readFile(path.join(dir, 's3', 'workspace', 'wms.config.json'), 'utf8')).not.toContain('AWS')
  })
})
