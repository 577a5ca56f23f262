import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCliIn } from '../../test/helpers/cli-capture.js'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { createDemoWorkspace } from '../workspace/demo-workspace.js'
import { openWorkspaceTracking } from '../registry/open-workspace-tracking.js'

// The second candidate is a small but real run: the demo's pairs at 32², two epochs, on the wasm backend.
const QUICK = { imageSize: 32, epochs: 2, batchSize: 4, backend: 'wasm' }

describe('train → gate → promote on the demo workspace (MLflow FileStore)', () => {
  const tempDir = useTempDirs()

  it('trains the demo with its defaults, passes the first model, promotes it, and gates the next one against it', async () => {
    const base = await tempDir()
    const { workspace, mlruns } = await createDemoWorkspace(path.join(base, 'demo'), { incoming: 0 })
    const config = path.join(base, 'quick.json')
    const env = { XDG_CACHE_HOME: path.join(base, 'cache') }

    // The demo's own settings: its first model must be good enough for the gate's first-model floor.
    const trained = await runCliIn(base, ['--json', 'train', '-w', workspace, '--no-resume'], env)
    expect(trained.code, trained.err).toBe(0)
    const first = JSON.parse(trained.out) as { runId: string; counts: { test: number }; backend: { name: string } }
    expect(first.runId).toMatch(/^[0-9a-f]{32}$/)
    expect(first.counts.test).toBeGreaterThan(0)

    // The run has its params, live epoch metrics, provenance tags, model files and final test scores.
    const { store } = await openWorkspaceTracking(workspace, { env: {} })
    const run = await store.getRun(first.runId)
    expect(run.info.status).toBe('FINISHED')
    expect(run.params.imageSize).toBe('64')
    expect((await store.getMetricHistory(first.runId, 'train_loss')).map((point) => point.step)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ])
    expect(Object.keys(run.metrics)).toEqual(expect.arrayContaining(['final_test_dice', 'final_test_iou', 'val_loss']))
    expect(run.tags['wms.backend']).toBe(first.backend.name)

    const gate1 = await runCliIn(base, ['gate', '--run', first.runId, '-w', workspace], env)
    expect(gate1.code, gate1.out + gate1.err).toBe(0)
    expect(gate1.out).toContain('GATE PASSED (first-model)')

    const promoted = await runCliIn(base, ['--json', 'promote', '--run', first.runId, '-w', workspace], env)
    expect(promoted.code, promoted.err).toBe(0)
    expect(
      await readFile(path.join(mlruns, 'models', 'water-meter-segmentation', 'aliases', 'production'), 'utf8'),
    ).toBe('1')
    const metadata = JSON.parse(await readFile(path.join(workspace, 'model-metadata.json'), 'utf8')) as {
      run_id: string
    }
    expect(metadata.run_id).toBe(first.runId)

    // A second candidate is evaluated against production v1 on the same test pairs, whatever the outcome.
    await writeFile(config, JSON.stringify({ ...QUICK, seed: 7 }))
    const second = JSON.parse(
      (await runCliIn(base, ['--json', 'train', '-w', workspace, '-c', config, '--no-resume'], env)).out,
    ) as { runId: string }
    const gate2 = await runCliIn(base, ['--json', 'gate', '--run', second.runId, '-w', workspace], env)
    const verdict = (
      JSON.parse(gate2.out) as {
        verdict: { outcome: string; production: { version: string } | null; perImage: { compared: number } }
      }
    ).verdict
    expect(['improved', 'not-improved']).toContain(verdict.outcome)
    expect(verdict.production?.version).toBe('1')
    expect(verdict.perImage.compared).toBe(first.counts.test)
    expect(gate2.code).toBe(verdict.outcome === 'improved' ? 0 : 1)
  }, 300_000)
})
