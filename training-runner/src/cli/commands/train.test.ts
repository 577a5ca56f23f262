import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseNdjsonLine } from '@wms/shared/pipeline/events'
import { captureIo } from '../../../test/helpers/cli-capture.js'
import { useTempDirs } from '../../../test/helpers/temp-dir.js'
import { writeSyntheticDataset } from '../../demo/synthetic-dataset.js'
import { runCli } from '../main.js'

describe('train, evaluate and predict commands', () => {
  const tempDir = useTempDirs()

  it('train streams NDJSON events and exports a model that evaluate and predict use', async () => {
    const cwd = await tempDir()
    const pairs = await writeSyntheticDataset(path.join(cwd, 'data'), { count: 8, seed: 5 })
    await writeFile(path.join(cwd, 'train.yaml'), 'imageSize: 32\nepochs: 1\nbatchSize: 4\n')
    const env = { TFJS_BACKENDS: 'wasm' }

    const train = captureIo(cwd, env)
    const argv = ['--events', 'ndjson', 'train', '--config', 'train.yaml', '--data', 'data', '--out', 'model']
    expect(await runCli(argv, train.io), train.err()).toBe(0)
    const events = train
      .out()
      .split('\n')
      .map(parseNdjsonLine)
      .filter((e) => e !== undefined)
    const types = events.map((e) => e.type)
    expect(types).toContain('epoch-end')
    expect(types).toContain('progress')
    expect(types.at(-1)).toBe('done')
    const log = events.find((e) => e.type === 'log' && e.message.startsWith('TensorFlow.js backend'))
    expect(log).toBeDefined()

    const evaluate = captureIo(cwd, env)
    expect(await runCli(['--json', 'evaluate', 'model', '--data', 'data', '--split', 'all'], evaluate.io)).toBe(0)
    const result = JSON.parse(evaluate.out()) as { aggregate: { count: number }; perImage: unknown[] }
    expect(result.aggregate.count).toBe(8)
    expect(result.perImage).toHaveLength(8)

    const predict = captureIo(cwd, env)
    const image = path.join('data', pairs[0]?.image ?? '')
    expect(await runCli(['--json', 'predict', 'model', image, '--out', 'pred', '--no-overlay'], predict.io)).toBe(0)
    const predictions = JSON.parse(predict.out()) as { predictions: { mask: string; overlay: null }[] }
    expect(predictions.predictions[0]?.mask).toBe(path.join(cwd, 'pred', `${pairs[0]?.stem ?? ''}.mask.png`))
    expect(predictions.predictions[0]?.overlay).toBeNull()
  }, 90_000)

  it('explains what is missing instead of crashing', async () => {
    const cwd = await tempDir()
    const noWorkspace = captureIo(cwd)
    expect(await runCli(['train'], noWorkspace.io)).toBe(1)
    expect(noWorkspace.err()).toContain('--data <dir>')
    const badSplit = captureIo(cwd)
    expect(await runCli(['evaluate', 'model', '--split', 'holdout', '--data', '.'], badSplit.io)).toBe(2)
    expect(badSplit.err()).toContain('Unknown split')
    const badBackend = captureIo(cwd)
    expect(await runCli(['train', '--data', '.', '--backend', 'cuda'], badBackend.io)).toBe(2)
    const tooBig = captureIo(cwd)
    // Issue 18: a large batch is accumulated in passes that fit unless microBatchSize asks for passes that cannot.
    await writeFile(
      path.join(cwd, 'big.json'),
      JSON.stringify({ imageSize: 512, batchSize: 16, microBatchSize: 16, workers: 1, backend: 'wasm' }),
    )
    expect(await runCli(['train', '--data', '.', '--config', 'big.json'], tooBig.io)).toBe(1)
    expect(tooBig.err()).toMatch(/wasm heap[\s\S]*→ Use microBatchSize \d+ at this size/)
  })
})
