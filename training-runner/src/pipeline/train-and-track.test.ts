import { readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { TrainingConfigSchema } from '@wms/shared/config/training-config'
import { QaReportSchema } from '@wms/shared/qa/report'
import { runCliIn } from '../../test/helpers/cli-capture.js'
import { startMlflowTestServer, type MlflowTestServer } from '../../test/helpers/mlflow-test-server.js'
import { startS3Server, TEST_CREDENTIALS, type TestS3Server } from '../../test/helpers/s3-server.js'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { collectingSink } from '../events/event-sink.js'
import { selectBackend } from '../train/backend/select-backend.js'
import { createDemoWorkspace } from '../workspace/demo-workspace.js'
import { readWorkspaceConfig } from '../workspace/workspace-config-file.js'
import { trainAndTrack } from './train-and-track.js'

// A small real run: the demo's pairs at 32², on the wasm backend.
const QUICK = { imageSize: 32, epochs: 1, batchSize: 4, backend: 'wasm' }

const closers: { close(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((closer) => closer.close()))
})

describe('a training run recorded in MLflow', () => {
  const tempDir = useTempDirs()

  /** The demo workspace, training quickly, tracking into a server whose artifacts live in S3. */
  async function setup(training: Record<string, unknown> = QUICK) {
    const base = await tempDir()
    const { workspace } = await createDemoWorkspace(path.join(base, 'demo'), { incoming: 0 })
    const file = path.join(workspace, 'wms.config.json')
    const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
    await writeFile(file, JSON.stringify({ ...config, training }))
    const s3: TestS3Server = await startS3Server('mlflow-artifacts')
    closers.push(s3)
    const server: MlflowTestServer = await startMlflowTestServer(path.join(base, 'server'), {
      defaultArtifactRoot: 's3://mlflow-artifacts/runs',
      serveArtifacts: false,
    })
    closers.push(server)
    const env: NodeJS.ProcessEnv = {
      MLFLOW_TRACKING_URI: server.url,
      MLFLOW_S3_ENDPOINT_URL: s3.endpoint,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0',
      XDG_CACHE_HOME: path.join(base, 'cache'),
    }
    return { base, workspace, s3, server, env }
  }

  const s3Text = async (s3: TestS3Server, suffix: string): Promise<string> => {
    const key = (await s3.keys()).find((candidate) => candidate.endsWith(suffix))
    expect(key, `no ${suffix} in ${(await s3.keys()).join(', ')}`).toBeDefined()
    return new TextDecoder().decode(await s3.read(key ?? ''))
  }

  it('records config, QA report, epochs, model with its MLmodel and test scores, straight into an s3:// root', async () => {
    const { base, workspace, s3, server, env } = await setup()
    const trained = await runCliIn(base, ['--json', 'train', '-w', workspace, '--no-resume'], {
      ...env,
      MLFLOW_EXPERIMENT_NAME: 'ci-experiment',
    })
    expect(trained.code, trained.err).toBe(0)
    const { runId } = JSON.parse(trained.out) as { runId: string }
    const run = await server.store.getRun(runId)
    expect(run.info.status).toBe('FINISHED')
    expect(run.info.runName).toMatch(/^[0-9a-f]{7}-[0-9a-f]{8}-\d{8}-\d{6}-[0-9a-f]{6}$/)
    expect((await server.store.getExperimentByName('ci-experiment'))?.experimentId).toBe(run.info.experimentId)
    expect(Object.keys(run.metrics)).toEqual(expect.arrayContaining(['train_loss', 'final_test_dice']))

    expect(JSON.parse(await s3Text(s3, `${runId}/artifacts/config/training.json`))).toMatchObject({ imageSize: 32 })
    // The QA report of the data the run was trained on, readable as JSON and as Markdown.
    const qa = QaReportSchema.parse(JSON.parse(await s3Text(s3, `${runId}/artifacts/reports/qa-report.json`)))
    expect(qa.summary.pairs).toBe(Number(run.tags['wms.data.pairs']))
    expect(await s3Text(s3, `${runId}/artifacts/reports/qa-report.md`)).toContain('QA')
    // MLflow's tools can describe the model: flavor, signature, what produced it.
    const mlmodel = parseYaml(await s3Text(s3, `${runId}/artifacts/model/MLmodel`)) as {
      artifact_path: string
      run_id: string
      flavors: { tfjs: { format: string; generated_by: string; loader: string } }
      signature: { inputs: string; outputs: string }
      utc_time_created: string
    }
    expect(mlmodel).toMatchObject({ artifact_path: 'model', run_id: runId })
    expect(mlmodel.flavors.tfjs.format).toBe('wms-unet')
    expect(mlmodel.flavors.tfjs.generated_by).toMatch(/^training-runner /)
    expect(mlmodel.flavors.tfjs.loader).toContain('training-runner')
    expect(JSON.parse(mlmodel.signature.inputs)).toEqual([
      { type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1, 32, 32, 3] }, name: 'image' },
    ])
    expect(JSON.parse(mlmodel.signature.outputs)).toEqual([
      { type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1, 32, 32, 1] }, name: 'mask_logits' },
    ])
    expect(mlmodel.utc_time_created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/)
    await s3Text(s3, `${runId}/artifacts/model/weights.bin`)
  }, 180_000)

  it('refuses a dataset without test pairs before a run exists, saying how many pairs a split needs', async () => {
    const base = await tempDir()
    // The old demo: 20 pairs, and by content hash none of them in the test split.
    const { workspace, mlruns } = await createDemoWorkspace(path.join(base, 'demo'), { incoming: 0, minTestPairs: 0 })
    const refused = await runCliIn(base, ['train', '-w', workspace], { XDG_CACHE_HOME: path.join(base, 'cache') })
    expect(refused.code).toBe(1)
    expect(refused.err).toContain('The test split is empty: none of the 20 pairs')
    expect(refused.err).toContain('A test share of 10 % needs about 29 pairs')
    const runsDir = await readdir(mlruns)
    expect(runsDir.filter((entry) => /^\d{6,}$/.test(entry))).toEqual([])
  })

  it('fails in seconds, and marks the run FAILED, when the server cannot see the file: root this machine writes', async () => {
    const base = await tempDir()
    const { workspace } = await createDemoWorkspace(path.join(base, 'demo'), { incoming: 0 })
    const server = await startMlflowTestServer(path.join(base, 'server'), {
      defaultArtifactRoot: pathToFileURL(path.join(base, 'srv', 'artifacts')).href,
      serverDisk: path.join(base, 'elsewhere'),
    })
    closers.push(server)
    const started = Date.now()
    const refused = await runCliIn(base, ['train', '-w', workspace], {
      MLFLOW_TRACKING_URI: server.url,
      MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0',
      XDG_CACHE_HOME: path.join(base, 'cache'),
    })
    expect(refused.code).toBe(1)
    expect(Date.now() - started).toBeLessThan(20_000)
    expect(refused.err).toContain('the server does not see what was written there')
    const experiment = await server.store.getExperimentByName('water-meter-segmentation')
    const { items } = await server.store.searchRuns({ experimentIds: [experiment?.experimentId ?? ''] })
    expect(items.map((run) => run.info.status)).toEqual(['FAILED'])
  })

  it('never leaves the run RUNNING: an S3 outage while uploading the model ends it FAILED, Ctrl-C ends it KILLED', async () => {
    const { workspace, s3, server, env } = await setup({ ...QUICK, epochs: 2 })
    const config = await readWorkspaceConfig(workspace)
    const base = {
      workspaceRoot: workspace,
      workspaceConfig: config,
      training: TrainingConfigSchema.parse({ ...QUICK, epochs: 2 }),
      datasetRoot: path.join(workspace, config.dataset.root),
      backend: await selectBackend('wasm'),
      resume: false,
      env,
    }
    const statuses = async () => {
      const experiment = await server.store.getExperimentByName('water-meter-segmentation')
      const { items } = await server.store.searchRuns({ experimentIds: [experiment?.experimentId ?? ''] })
      return items.map((run) => run.info.status)
    }

    // The artifact store goes away as the model upload starts.
    s3.onRequest = (request) => {
      if (request.method === 'PUT' && request.url.includes('/artifacts/model/')) void s3.kill()
    }
    const outage = await trainAndTrack({ ...base, outDir: path.join(workspace, 'models', 'a') }).catch(
      (e: unknown) => e as Error,
    )
    expect(outage).toBeInstanceOf(Error)
    expect(await statuses()).toEqual(['FAILED'])
    s3.onRequest = undefined
    await s3.restart()

    // Ctrl-C during training: the train command aborts this signal.
    const stop = new AbortController()
    const events = collectingSink()
    const emit = events.emit.bind(events)
    events.emit = (event) => {
      emit(event)
      if (event.type === 'epoch-end') stop.abort()
    }
    const stopped = await trainAndTrack({
      ...base,
      outDir: path.join(workspace, 'models', 'b'),
      events,
      signal: stop.signal,
    }).catch((e: unknown) => e as Error)
    expect(stopped).toMatchObject({ code: 'cancelled' })
    expect((await statuses()).sort()).toEqual(['FAILED', 'KILLED'])
  }, 240_000)
})
