import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { readMlflowFileStore } from '../../../test/helpers/mlflow-filestore-reader.js'
import { spawnCli } from '../../../test/helpers/spawn-cli.js'
import { useTempDirs } from '../../../test/helpers/temp-dir.js'
import { createDemoWorkspace } from '../../workspace/demo-workspace.js'

describe('Ctrl-C during training', () => {
  const tempDir = useTempDirs()

  it('is acknowledged at once and stops within a step, even in the last epoch: run KILLED, no export, exit 130', async () => {
    const layout = await createDemoWorkspace(path.join(await tempDir(), 'demo'), { pairs: 6, incoming: 0 })
    await writeFile(
      path.join(layout.workspace, 'small.json'),
      JSON.stringify({ imageSize: 32, epochs: 2, batchSize: 1, backend: 'wasm' }),
    )
    const run = spawnCli(['--events', 'ndjson', 'train', '--config', 'small.json'], { cwd: layout.workspace })
    // The first step of the last epoch: the old loop let this epoch run to its end and exported the model.
    await run.waitFor((out) => out.includes('"message":"epoch 2/2'))
    const sent = Date.now()
    run.child.kill('SIGINT')
    await run.waitFor((_, err) => err.includes('Stopping after this step'))
    const acknowledged = Date.now() - sent
    const { code, err } = await run.exited
    expect(code, err).toBe(130)
    expect(acknowledged).toBeLessThan(2000)
    expect(err).not.toMatch(/\n\s+at /)
    const experiment = readMlflowFileStore(layout.mlruns).experiments.find((e) => e.name === 'water-meter-segmentation')
    expect(experiment?.runs.map((r) => r.status)).toEqual(['KILLED'])
    expect(existsSync(path.join(layout.workspace, 'models/candidate/model.json'))).toBe(false)
  }, 120_000)
})
