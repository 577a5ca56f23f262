import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { PipelineEvent } from '@wms/shared/pipeline/events'
import { commitDataBranch, createDemoWorkspace, pushDataBranch, readRunRecord } from 'training-runner'
import { runnerTrackingEnv } from '../settings/mlflow-target.js'
import { PipelineService } from './pipeline-service.js'

const repoRoot = path.resolve(import.meta.dirname, '../../..')
const CLI = path.join(repoRoot, 'training-runner/src/cli/main.ts')
const TINY = { imageSize: 32, epochs: 1, batchSize: 4, baseFilters: 8, backend: 'wasm' }

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 150_000): Promise<T> {
  const started = Date.now()
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** A demo workspace whose incoming pairs are pushed on a data branch, as the app's Review & submit does. */
async function demoWithPushedBranch(base: string, incoming: number) {
  const demo = await createDemoWorkspace(path.join(base, 'demo'), { incoming })
  // What the app's Review & submit does: the incoming pairs on a new data branch, pushed to the origin.
  const files = (await readdir(path.join(demo.incoming, 'images'))).map((name) => ({
    relpath: `images/${name}`,
    source: path.join(demo.incoming, 'images', name),
  }))
  files.push(
    ...(await readdir(path.join(demo.incoming, 'masks'))).map((name) => ({
      relpath: `masks/${name}`,
      source: path.join(demo.incoming, 'masks', name),
    })),
  )
  const { branch } = await commitDataBranch({
    workspace: demo.workspace,
    datasetRoot: 'data/training',
    files,
    message: `Add ${String(incoming)} pairs`,
  })
  await pushDataBranch(demo.workspace, branch)
  return { demo, branch }
}

describe('PipelineService: the local runner in the app', () => {
  const dirs: string[] = []
  const services: PipelineService[] = []
  afterEach(async () => {
    for (const service of services.splice(0)) await service.dispose()
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
  })

  it('picks up a submitted branch, forwards its events, and resumes a run the app quit in the middle of', async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'wms-pipeline-service-'))
    dirs.push(base)
    const tiny = path.join(base, 'tiny.json')
    await writeFile(tiny, JSON.stringify(TINY))
    const { demo, branch } = await demoWithPushedBranch(base, 3)

    const events: PipelineEvent[] = []
    const start = (): PipelineService => {
      const service = new PipelineService({
        workspaceRoot: demo.workspace,
        onEvent: (event) => events.push(event),
        cliModule: CLI,
        execArgv: ['--conditions=source', '--import', 'tsx'],
        runArgs: ['-c', tiny],
        pollMs: 200,
      })
      services.push(service)
      service.start()
      return service
    }
    const first = start()
    // Quit the app while it trains: the child stops, the record says interrupted.
    await until('training to start', () =>
      Promise.resolve(events.some((event) => event.type === 'step-start' && event.step === 'train') || undefined),
    )
    await first.dispose()
    const interrupted = await readRunRecord(demo.workspace, branch)
    expect(interrupted?.status).toBe('interrupted')
    expect(interrupted?.steps.qa.status).toBe('ok')

    // The next start resumes it to a verdict.
    const second = start()
    const record = await until('a verdict', async () => {
      const found = await readRunRecord(demo.workspace, branch)
      return found?.status === 'done' ? found : undefined
    })
    expect(record.verdict).not.toBeNull()
    expect(record.steps.merge.status).toBe('ok')
    expect(record.steps.train.status).toBe('ok')
    expect((await second.overview()).runs.map((run) => run.branch)).toEqual([branch])
    const ends = events
      .filter((event) => event.type === 'step-end' && event.branch === branch)
      .map((event) => (event.type === 'step-end' ? event.step : ''))
    expect(ends).toEqual(expect.arrayContaining(['merge', 'qa', 'train', 'gate']))
  }, 240_000)
})

describe('PipelineService: where the local runner records', () => {
  const dirs: string[] = []
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
  })

  it('starts the pipeline with the MLflow server and login saved in Settings, as MLflow’s variables', async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'wms-pipeline-env-'))
    dirs.push(base)
    const { demo } = await demoWithPushedBranch(base, 1)
    // A stand-in for the runner's CLI that notes the MLflow variables it was started with.
    const seen = path.join(base, 'env.json')
    const cli = path.join(base, 'fake-cli.mjs')
    await writeFile(
      cli,
      `import { writeFileSync } from 'node:fs'
export async function runCli() {
  const { MLFLOW_TRACKING_URI, MLFLOW_TRACKING_TOKEN, MLFLOW_TRACKING_USERNAME } = process.env
  writeFileSync(${JSON.stringify(seen)}, JSON.stringify({ MLFLOW_TRACKING_URI, MLFLOW_TRACKING_TOKEN, MLFLOW_TRACKING_USERNAME }))
  return 0
}
`,
    )
    const service = new PipelineService({
      workspaceRoot: demo.workspace,
      onEvent: () => undefined,
      cliModule: cli,
      pollMs: 200,
      childEnv: () =>
        Promise.resolve(
          runnerTrackingEnv(
            { url: 'https://mlflow.mine.example', auth: { kind: 'bearer', token: 'stored-token' } },
            { ...process.env, MLFLOW_TRACKING_USERNAME: 'from-the-shell' },
          ),
        ),
    })
    try {
      service.start()
      const env = await until('the pipeline to start', () =>
        readFile(seen, 'utf8').then(
          (text) => JSON.parse(text) as Record<string, string | undefined>,
          () => undefined,
        ),
      )
      expect(env).toEqual({ MLFLOW_TRACKING_URI: 'https://mlflow.mine.example', MLFLOW_TRACKING_TOKEN: 'stored-token' })
    } finally {
      await service.dispose()
    }
  }, 60_000)
})
