import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { TrackingConfigSchema } from '@wms/shared/config/workspace-config'
import { runCliIn } from '../../test/helpers/cli-capture.js'
import { fakeTrainingRun } from '../../test/helpers/fake-training.js'
import { startMlflowTestServer, type MlflowTestServer } from '../../test/helpers/mlflow-test-server.js'
import { selfSignedCertificate } from '../../test/helpers/self-signed.js'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { openWorkspaceTracking } from '../registry/open-workspace-tracking.js'
import { writeWorkspaceConfig } from '../workspace/workspace-config-file.js'
import { MlflowRestStore } from './rest/rest-store.js'
import { applyTrackingEnv } from './tracking-env.js'

const servers: MlflowTestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

describe("MLflow's environment variables", () => {
  const tempDir = useTempDirs()
  const config = TrackingConfigSchema.parse({ uri: 'file:../mlruns', experiment: 'wms' })

  it('MLFLOW_TRACKING_URI and MLFLOW_EXPERIMENT_NAME win over the workspace config, and say so', () => {
    expect(applyTrackingEnv(config, {}, '/work')).toEqual({
      tracking: config,
      sources: { uri: 'config', experiment: 'config' },
    })
    const env = { MLFLOW_TRACKING_URI: 'https://mlflow.example:5000', MLFLOW_EXPERIMENT_NAME: 'ci-runs' }
    expect(applyTrackingEnv(config, env, '/work')).toEqual({
      tracking: { ...config, uri: 'https://mlflow.example:5000', experiment: 'ci-runs' },
      sources: { uri: 'environment', experiment: 'environment' },
    })
    // A folder, as MLflow accepts it, relative to the current directory.
    expect(applyTrackingEnv(config, { MLFLOW_TRACKING_URI: './mlruns' }, '/work').tracking.uri).toBe(
      pathToFileURL('/work/mlruns').href,
    )
    expect(applyTrackingEnv(config, { MLFLOW_TRACKING_URI: 'file:runs' }, '/work').tracking.uri).toBe(
      pathToFileURL('/work/runs').href,
    )
    expect(() => applyTrackingEnv(config, { MLFLOW_TRACKING_URI: 'sqlite:///mlflow.db' }, '/work')).toThrow(
      /MLFLOW_TRACKING_URI=sqlite:… is not supported/,
    )
  })

  it('commands use the server MLFLOW_TRACKING_URI names, with its credentials, and info says where it came from', async () => {
    const dir = await tempDir()
    const server = await startMlflowTestServer(path.join(dir, 'server'))
    servers.push(server)
    server.requireAuthorization = `Basic ${Buffer.from('ann:s3cret').toString('base64')}`
    const workspace = path.join(dir, 'workspace')
    await mkdir(workspace, { recursive: true })
    await writeWorkspaceConfig(workspace, {
      version: 1,
      name: 'env',
      dataset: { remote: { type: 'local', path: '../dvc' } },
      tracking: { uri: 'file:../mlruns' },
    })
    const env = {
      MLFLOW_TRACKING_URI: server.url,
      MLFLOW_TRACKING_USERNAME: 'ann',
      MLFLOW_TRACKING_PASSWORD: 's3cret',
      MLFLOW_EXPERIMENT_NAME: 'from-env',
    }
    const info = await runCliIn(dir, ['info', '-w', workspace], env)
    expect(info.code, info.err).toBe(0)
    expect(info.out).toContain(`tracking    server: ${server.url} (from MLFLOW_TRACKING_URI)`)
    expect(info.out).toContain('experiment  from-env (from MLFLOW_EXPERIMENT_NAME)')
    const plain = await runCliIn(dir, ['info', '-w', workspace], {})
    expect(plain.out).toMatch(/tracking {4}filestore: .*mlruns \(from wms\.config\.json\)/)

    const { store, config: effective } = await openWorkspaceTracking(workspace, { env })
    expect(store.kind).toBe('server')
    expect(effective.tracking.experiment).toBe('from-env')
    const run = await fakeTrainingRun(store, {
      experiment: effective.tracking.experiment,
      workDir: path.join(dir, 'models'),
      scores: { a: [0.7, 0.6] },
    })
    const history = await runCliIn(dir, ['history', '-w', workspace], env)
    expect(history.out).toContain('Production now: none (registry)')
    expect((await server.store.getRun(run)).info.status).toBe('FINISHED')
    expect(server.requests.every((request) => request.authorization === server.requireAuthorization)).toBe(true)
  })

  it('trusts a server certificate through MLFLOW_TRACKING_SERVER_CERT_PATH or MLFLOW_TRACKING_INSECURE_TLS, and explains when it does not', async () => {
    const dir = await tempDir()
    const tls = await selfSignedCertificate(dir)
    const server = await startMlflowTestServer(path.join(dir, 'server'), { tls })
    servers.push(server)
    const open = (env: NodeJS.ProcessEnv) =>
      openWorkspaceTrackingAt(dir, server.url, { ...env, MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' })

    const untrusted = await (await open({})).getExperimentByName('x').catch((thrown: unknown) => thrown as Error)
    expect(untrusted).toBeInstanceOf(Error)
    expect((untrusted as Error).message).toContain("the server's TLS certificate is not trusted")
    expect((untrusted as { hint?: string }).hint).toContain('MLFLOW_TRACKING_INSECURE_TLS')

    expect(await (await open({ MLFLOW_TRACKING_INSECURE_TLS: 'true' })).getExperimentByName('x')).toBeUndefined()
    const pinned = await open({ MLFLOW_TRACKING_SERVER_CERT_PATH: tls.certFile })
    expect(pinned).toBeInstanceOf(MlflowRestStore)
    expect(await pinned.getExperimentByName('x')).toBeUndefined()
  })
})

async function openWorkspaceTrackingAt(dir: string, uri: string, env: NodeJS.ProcessEnv) {
  const workspace = path.join(dir, 'ws')
  await mkdir(workspace, { recursive: true })
  await writeWorkspaceConfig(workspace, {
    version: 1,
    name: 'tls',
    dataset: { remote: { type: 'local', path: '../dvc' } },
    tracking: { uri },
  })
  return (await openWorkspaceTracking(workspace, { env })).store
}
