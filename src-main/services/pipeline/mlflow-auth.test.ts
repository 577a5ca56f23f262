import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { RUN_TAGS } from '@wms/shared/tracking/tags'
import { openWorkspaceTracking, readWorkspaceConfig, startRun, writeWorkspaceConfig } from 'training-runner'
import { mlflowTestServerHelpers, type MlflowTestServerHandle } from '../../test-support/runner-test-servers.js'
import { useTempDirs } from '../../test-support/temp-dirs.js'
import { ModelsService } from '../models/models-service.js'
import { createPipelineStatus } from './pipeline-status.js'
import type { MlflowAuth, StatusCredentials } from './status-source.js'

/**
 * The stored MLflow login (Settings) reaches every reader of an MLflow server that asks for one: the Pipeline's
 * status source — also when the login is saved after its first look — and the Models area's registry.
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

/** Stored accounts whose MLflow login the test sets as a user saving Settings would. */
function storedAccounts(): StatusCredentials & { login: MlflowAuth | undefined } {
  const accounts: StatusCredentials & { login: MlflowAuth | undefined } = {
    login: undefined,
    github: () => Promise.resolve(undefined),
    mlflowAuth: () => Promise.resolve(accounts.login),
  }
  return accounts
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
    accounts.login = { kind: 'bearer', token: 'stored-token' }
    expect(await reader.runIdForWorkflowRun('wms', 42)).toBe(runId)
    expect(server.requests.at(-1)?.authorization).toBe('Bearer stored-token')
  })

  it('is used by the Models area to read the registry', async () => {
    const { root } = await serverWorkspace()
    const accounts = storedAccounts()
    const models = new ModelsService({
      workspaceRoot: root,
      cacheDir: path.join(root, '.wms', 'cache', 'models'),
      inference: { tryOnPhoto: () => Promise.reject(new Error('not used')), dispose: () => undefined },
      staging: { qaInputs: () => [], revisionOf: () => 0, recordModelCheck: () => undefined },
      env: ENV,
      mlflowAuth: () => accounts.mlflowAuth(),
    })
    // Refused without the login: the overview says the registry cannot be read, and why.
    await expect(models.overview()).rejects.toMatchObject({
      code: 'tracking/unavailable',
      message: expect.stringContaining('refused the credentials (HTTP 401)') as unknown,
    })
    accounts.login = { kind: 'bearer', token: 'stored-token' }
    expect(await models.overview()).toMatchObject({ modelName: 'wms-model', versions: [], productionVersion: null })
  })
})
