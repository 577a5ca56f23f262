import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { PipelineEvent } from '@wms/shared/pipeline/events'
import { commitDataBranch, createDemoWorkspace, pushDataBranch, readRunRecord } from 'training-runner'
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
    const demo = await createDemoWorkspace(path.join(base, 'demo'), { incoming: 3 })
    const tiny = path.join(base, 'tiny.json')
    await writeFile(tiny, JSON.stringify(TINY))
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
      message: 'Add 3 pairs',
    })
    await pushDataBranch(demo.workspace, branch)

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
