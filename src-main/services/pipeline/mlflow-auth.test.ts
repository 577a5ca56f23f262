import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { RUN_TAGS } from '@wms/shared/tracking/tags'
import {
  openTrackingStore,
  openWorkspaceTracking,
  readWorkspaceConfig,
  startRun,
  writeWorkspaceConfig,
} from 'training-runner'
import { mlflowTestServerHelpers, type MlflowTestServerHandle } from '../../test-support/runner-test-servers.js'
import { useTempDirs } from '../../test-support/temp-dirs.js'
import { ModelsService } from '../models/models-service.js'
import { createPipelineStatus } from './pipeline-status.js'
import type { MlflowAccount, StatusCredentials } from './status-source.js'

/**
 * The stored MLflow account (Settings) reaches every reader of MLflow — the Pipeline's status source, also when it
 * is saved after its first look, and the Models area's registry: its login, and its server, which wins over the
 * workspace config's tracking URI (the demo's FileStore is read while no server is saved).
 */

const temp = useTempDirs()
const servers: MlflowTestServerHandle[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

const ENV = { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0', MLFLOW_HTTP_REQUEST_TIMEOUT: '5' }

/** A workspace whose tracking is the MLflow test server, with one training run of GitHub workflow run 42. */
async function serverWorkspace(): Promise<{ root: string; server: MlflowTestServerHandle; runId: string }> {
  const dir = await temp('wms-mlflow-auth-')
  const { startMlflowTestServer } = await mlflowTestServerHelpers()
  const server = await startMlflowTestServer(path.join(dir, 'server'))
  servers.push(server)
  const root = path.join(dir, 'workspace')
  await mkdir(root, { recursive: true })
  await writeWorkspaceConfig(root, {
    version: 1,
    name: 'auth test',
    dataset: { remote: { type: 'local', path: '../dvc-remote' } },
    tracking: { uri: server.url, experiment: 'wms', registeredModel: 'wms-model' },
  })
  const { store } = await openWorkspaceTracking(root, { env: ENV })
  const logger = await startRun(store, { experiment: 'wms', tags: { [RUN_TAGS.githubRun]: '42#3' } })
  await logger.finish()
  // From here on the server wants the user's token, as a team's MLflow behind a login does.
  server.requireAuthorization = 'Bearer stored-token'
  return { root, server, runId: logger.runId }
}

/** Stored accounts whose MLflow account the test sets as a user saving Settings would. */
function storedAccounts(): StatusCredentials & { account: MlflowAccount | undefined } {
  const accounts: StatusCredentials & { account: MlflowAccount | undefined } = {
    account: undefined,
    github: () => Promise.resolve(undefined),
    mlflow: () => Promise.resolve(accounts.account),
  }
  return accounts
}

const TOKEN = { kind: 'bearer', token: 'stored-token' } as const

function modelsService(root: string, accounts: StatusCredentials): ModelsService {
  return new ModelsService({
    workspaceRoot: root,
    cacheDir: path.join(root, '.wms', 'cache', 'models'),
    inference: { tryOnPhoto: () => Promise.reject(new Error('not used')), dispose: () => undefined },
    staging: { qaInputs: () => [], revisionOf: () => 0, recordModelCheck: () => undefined },
    env: ENV,
    mlflow: () => accounts.mlflow(),
  })
}

/**
 * A FileStore workspace (the demo's kind: `file:../mlruns`) with a training run of workflow run 7, and a separate
 * MLflow server behind a token with a run of workflow run 42 and a registered version — the team's server a user
 * points the app at in Settings.
 */
async function fileWorkspaceAndServer() {
  const { root, server, runId: serverRunId } = await serverWorkspace()
  const fileRoot = path.join(path.dirname(root), 'file-workspace')
  await mkdir(fileRoot, { recursive: true })
  await writeWorkspaceConfig(fileRoot, {
    version: 1,
    name: 'file test',
    dataset: { remote: { type: 'local', path: '../dvc-remote' } },
    tracking: { uri: 'file:../mlruns', experiment: 'wms', registeredModel: 'wms-model' },
  })
  const { store: fileStore } = await openWorkspaceTracking(fileRoot, { env: ENV })
  const fileRun = await startRun(fileStore, { experiment: 'wms', tags: { [RUN_TAGS.githubRun]: '7' } })
  await fileRun.finish()
  const serverStore = openTrackingStore({ uri: server.url }, { workspaceRoot: root, env: ENV, auth: TOKEN })
  await serverStore.createRegisteredModel('wms-model')
  await serverStore.createModelVersion({ name: 'wms-model', source: `runs:/${serverRunId}/model`, runId: serverRunId })
  return { root: fileRoot, server, serverRunId, fileRunId: fileRun.runId }
}

describe('the stored MLflow login', () => {
  it('is used by the status reader from the next look after it is saved, without a restart', async () => {
    const { root, server, runId } = await serverWorkspace()
    const accounts = storedAccounts()
    const { tracking: reader, poller } = createPipelineStatus({
      workspaceRoot: root,
      config: await readWorkspaceConfig(root),
      onUpdate: () => undefined,
      credentials: accounts,
      env: ENV,
    })
    await poller.dispose()
    // First look before the user signed in: refused.
    await expect(reader.runIdForWorkflowRun('wms', 42)).rejects.toMatchObject({ code: 'tracking/auth-failed' })
    // The login saved for the workspace's own server (no address of its own).
    accounts.account = { url: null, auth: TOKEN }
    expect(await reader.runIdForWorkflowRun('wms', 42)).toBe(runId)
    expect(server.requests.at(-1)?.authorization).toBe('Bearer stored-token')
  })

  it('is used by the Models area to read the registry', async () => {
    const { root } = await serverWorkspace()
    const accounts = storedAccounts()
    const models = modelsService(root, accounts)
    // Refused without the login: the overview says the registry cannot be read, and why.
    await expect(models.overview()).rejects.toMatchObject({
      code: 'tracking/unavailable',
      message: expect.stringContaining('refused the credentials (HTTP 401)') as unknown,
    })
    accounts.account = { url: null, auth: TOKEN }
    expect(await models.overview()).toMatchObject({ modelName: 'wms-model', versions: [], productionVersion: null })
  })
})

describe('the stored MLflow server', () => {
  it('is read by the Pipeline instead of the workspace’s tracking URI from the next look, and back when forgotten', async () => {
    const { root, server, serverRunId, fileRunId } = await fileWorkspaceAndServer()
    const accounts = storedAccounts()
    const { tracking: reader, poller } = createPipelineStatus({
      workspaceRoot: root,
      config: await readWorkspaceConfig(root),
      onUpdate: () => undefined,
      credentials: accounts,
      env: ENV,
    })
    await poller.dispose()
    // Nothing saved: the workspace's FileStore, as in the demo.
    expect(await reader.runIdForWorkflowRun('wms', 7)).toBe(fileRunId)
    expect(await reader.runIdForWorkflowRun('wms', 42)).toBeUndefined()
    expect((await reader.run(fileRunId)).link).toBeNull()

    accounts.account = { url: server.url, auth: TOKEN }
    expect(await reader.runIdForWorkflowRun('wms', 42)).toBe(serverRunId)
    // What was found in the FileStore is not taken for the server's.
    expect(await reader.runIdForWorkflowRun('wms', 7)).toBeUndefined()
    expect(server.requests.at(-1)?.authorization).toBe('Bearer stored-token')
    expect((await reader.run(serverRunId)).link?.href).toMatch(
      new RegExp(`^${server.url}/#/experiments/.+/runs/${serverRunId}$`),
    )

    accounts.account = undefined
    expect(await reader.runIdForWorkflowRun('wms', 7)).toBe(fileRunId)
  })

  it('is read by the Models area instead of the workspace’s tracking URI, at the next request', async () => {
    const { root, server } = await fileWorkspaceAndServer()
    const accounts = storedAccounts()
    const models = modelsService(root, accounts)
    expect(await models.overview()).toMatchObject({ store: { kind: 'filestore' }, versions: [] })
    accounts.account = { url: server.url, auth: TOKEN }
    const overview = await models.overview()
    expect(overview.store).toMatchObject({
      kind: 'server',
      display: expect.stringContaining(new URL(server.url).host) as unknown,
    })
    expect(overview.versions.map((version) => version.version)).toEqual(['1'])
  })
})
