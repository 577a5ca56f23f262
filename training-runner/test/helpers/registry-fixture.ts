import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { afterEach } from 'vitest'
import type { WorkspaceConfig, WorkspaceConfigInput } from '@wms/shared/config/workspace-config'
import { runGate } from '../../src/registry/gate-workflow.js'
import { openWorkspaceTracking } from '../../src/registry/open-workspace-tracking.js'
import type { TrackingStore } from '../../src/tracking/tracking-store.js'
import { writeWorkspaceConfig } from '../../src/workspace/workspace-config-file.js'
import { fakePorts, fakeTrainingRun, type FakeScores } from './fake-training.js'
import { startMlflowTestServer, type MlflowTestServer, type MlflowTestServerOptions } from './mlflow-test-server.js'

/**
 * A workspace whose tracking is either a FileStore (`file:../mlruns`) or the MLflow REST test server, with fake
 * training runs and the real gate, promotion and registry code — for tests that must hold on both backends.
 */

/** The two backends every registry behaviour is checked on. */
export const REGISTRY_BACKENDS = ['FileStore', 'REST'] as const

/** One of {@link REGISTRY_BACKENDS}. */
export type RegistryBackend = (typeof REGISTRY_BACKENDS)[number]

/** Test ids of the fake test split. */
export const FAKE_TEST_IDS = ['a', 'b', 'c']

/** Scores of a fake model on {@link FAKE_TEST_IDS}. */
export const fakeScores = (dice: number, iou: number): FakeScores =>
  Object.fromEntries(FAKE_TEST_IDS.map((id) => [id, [dice, iou]]))

/** A workspace wired to one backend. */
export interface RegistryFixture {
  dir: string
  root: string
  config: WorkspaceConfig
  store: TrackingStore
  server?: MlflowTestServer
  /** Records a fake training run with these scores; returns its run id. */
  train: (scores: FakeScores) => Promise<string>
  /** Runs the real gate (fake evaluation) on a run. */
  gate: (runId: string, options?: { allowBootstrap?: boolean }) => ReturnType<typeof runGate>
}

/** Creates fixtures; servers are closed after each test. */
export function useRegistryFixtures(tempDir: (prefix?: string) => Promise<string>) {
  const servers: MlflowTestServer[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()))
  })
  return async (
    backend: RegistryBackend,
    options: {
      env?: NodeJS.ProcessEnv
      server?: MlflowTestServerOptions
      gate?: WorkspaceConfigInput['gate']
    } = {},
  ): Promise<RegistryFixture> => {
    const dir = await tempDir()
    const root = path.join(dir, 'workspace')
    await mkdir(root, { recursive: true })
    let server: MlflowTestServer | undefined
    if (backend === 'REST') {
      server = await startMlflowTestServer(path.join(dir, 'server'), options.server)
      servers.push(server)
    }
    await writeWorkspaceConfig(root, {
      version: 1,
      name: 'test',
      dataset: { remote: { type: 'local', path: '../dvc-remote' } },
      tracking: { uri: server?.url ?? 'file:../mlruns', experiment: 'wms', registeredModel: 'wms-model' },
      ...(options.gate === undefined ? {} : { gate: options.gate }),
    })
    const env = options.env ?? { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' }
    const { config, store } = await openWorkspaceTracking(root, { env })
    const train = (scores: FakeScores) =>
      fakeTrainingRun(store, { experiment: 'wms', workDir: path.join(dir, 'models'), scores })
    const gate = (runId: string, gateOptions: { allowBootstrap?: boolean } = {}) =>
      runGate({
        store,
        workspaceRoot: root,
        config,
        candidateRunId: runId,
        ports: fakePorts(FAKE_TEST_IDS),
        ...gateOptions,
      })
    return { dir, root, config, store, train, gate, ...(server === undefined ? {} : { server }) }
  }
}
