import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parseNdjsonLine } from '@wms/shared/pipeline/events'
import { fakePorts, fakeTrainingRun, type FakeScores } from '../../../test/helpers/fake-training.js'
import { startMlflowTestServer, type MlflowTestServer } from '../../../test/helpers/mlflow-test-server.js'
import { useTempDirs } from '../../../test/helpers/temp-dir.js'
import { ndjsonSink, nullSink } from '../../events/event-sink.js'
import { openWorkspaceTracking } from '../../registry/open-workspace-tracking.js'
import { createDemoWorkspace } from '../../workspace/demo-workspace.js'
import { writeWorkspaceConfig } from '../../workspace/workspace-config-file.js'
import type { CommandContext } from '../context.js'
import { runCli } from '../main.js'
import { gateCommand } from './gate.js'
import { captureIo as capture } from '../../../test/helpers/cli-capture.js'

const IDS = ['p1', 'p2']
const scores = (dice: number, iou: number): FakeScores => ({ p1: [dice, iou], p2: [dice, iou] })

function context(cwd: string, env: NodeJS.ProcessEnv = {}): CommandContext & { out: () => string } {
  const captured = capture(cwd, env)
  return { io: captured.io, json: false, events: nullSink, eventsFormat: 'none', out: captured.out }
}

const servers: MlflowTestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

describe('gate, promote, history and rollback commands', () => {
  const tempDir = useTempDirs()

  it('run end to end on the demo workspace (MLflow FileStore)', async () => {
    const base = path.join(await tempDir(), 'demo')
    const { workspace, mlruns } = await createDemoWorkspace(base, { pairs: 2, incoming: 0 })
    const { store } = await openWorkspaceTracking(workspace, { env: {} })
    const train = (s: FakeScores) =>
      fakeTrainingRun(store, { experiment: 'water-meter-segmentation', workDir: path.join(base, 'models'), scores: s })
    const first = await train(scores(0.5, 0.4))

    // The CLI evaluates with the real training module: a run whose model files are not a U-Net fails the gate
    // (exit 1) and says why, instead of guessing.
    const real = capture(base)
    expect(await runCli(['gate', '--run', first, '-w', workspace], real.io)).toBe(1)
    expect(real.out()).toContain('GATE FAILED (invalid-candidate)')

    const gate1 = await gateCommand({ workspace, run: first, markdown: 'verdict.md' }, context(base), fakePorts(IDS))
    expect(gate1.exitCode).toBe(0)
    expect(gate1.human).toContain('GATE PASSED (first-model)')
    expect(await readFile(path.join(base, 'verdict.md'), 'utf8')).toContain('### ✅ Quality gate passed')

    const promote1 = capture(base)
    expect(await runCli(['--json', 'promote', '--run', first, '-w', workspace, '--pr', '12'], promote1.io)).toBe(0)
    expect(JSON.parse(promote1.out())).toMatchObject({ version: '1', previousVersion: null, pointer: 'alias' })
    expect(
      await readFile(path.join(mlruns, 'models', 'water-meter-segmentation', 'aliases', 'production'), 'utf8'),
    ).toBe('1')

    const worse = await train(scores(0.4, 0.3))
    const gate2 = await gateCommand({ workspace, run: worse }, context(base), fakePorts(IDS))
    expect(gate2.exitCode).toBe(1)
    expect(gate2.human).toContain('GATE FAILED (not-improved)')
    const refused = capture(base)
    expect(await runCli(['promote', '--run', worse, '-w', workspace], refused.io)).toBe(1)
    expect(refused.err()).toContain('The gate did not pass')

    const better = await train(scores(0.6, 0.5))
    expect((await gateCommand({ workspace, run: better }, context(base), fakePorts(IDS))).exitCode).toBe(0)
    const promote2 = capture(base)
    expect(await runCli(['promote', '--run', better, '-w', workspace], promote2.io)).toBe(0)
    expect(promote2.out()).toContain('to water-meter-segmentation v2 (alias production; was v1)')

    const rolled = capture(base)
    expect(await runCli(['rollback', '1', '-w', workspace, '--reason', 'manual check failed'], rolled.io)).toBe(0)
    expect(rolled.out()).toContain('v1 is production again (was v2)')
    // It reports itself as what it was: a rollback, not a promotion.
    expect(rolled.err()).toMatch(/✔ rollback ok/)
    expect(rolled.err()).not.toContain('promote ok')
    const history = capture(base)
    expect(await runCli(['history', '-w', workspace], history.io)).toBe(0)
    const lines = history.out().split('\n')
    expect(lines.filter((line) => /\s(promote|rollback)\s+v\d/.test(line))).toHaveLength(3)
    expect(lines.find((line) => line.startsWith('  *'))).toMatch(/rollback\s+v1 .* manual check failed/)
    expect(history.out()).toContain('Production now: v1 (registry)')
    // Without the registry it does not claim to know what the registry says.
    const offline = capture(base)
    expect(await runCli(['history', '-w', workspace, '--no-registry'], offline.io)).toBe(0)
    expect(offline.out()).not.toContain('(registry)')
    expect(offline.out()).toContain(
      "Registry not consulted (--no-registry): the history file's last entry made v1 production.",
    )
    // Only the alias moved: the history does not claim a stage.
    const historyFile = await readFile(path.join(workspace, 'models', 'production-history.jsonl'), 'utf8')
    expect(historyFile).not.toContain('"stage"')
    const metadata = JSON.parse(await readFile(path.join(workspace, 'model-metadata.json'), 'utf8')) as Record<
      string,
      unknown
    >
    expect(metadata).toMatchObject({ model_version: '1', previous_version: '2' })

    const badVersion = capture(base)
    expect(await runCli(['rollback', 'v1', '-w', workspace], badVersion.io)).toBe(2)
  })

  it('run against an MLflow server with a token from the environment, streaming gate events', async () => {
    const dir = await tempDir()
    const server = await startMlflowTestServer(path.join(dir, 'server'))
    servers.push(server)
    server.requireAuthorization = 'Bearer t0ken'
    const env = { MLFLOW_TRACKING_TOKEN: 't0ken' }
    const workspace = path.join(dir, 'workspace')
    await mkdir(workspace, { recursive: true })
    await writeWorkspaceConfig(workspace, {
      version: 1,
      name: 'server',
      dataset: { remote: { type: 'local', path: '../dvc' } },
      tracking: { uri: server.url },
    })
    const { store } = await openWorkspaceTracking(workspace, { env })
    const run = await fakeTrainingRun(store, {
      experiment: 'water-meter-segmentation',
      workDir: path.join(dir, 'models'),
      scores: scores(0.7, 0.6),
    })
    const captured = capture(dir, env)
    const ndjson: CommandContext = {
      io: captured.io,
      json: false,
      events: ndjsonSink(captured.io.stdout),
      eventsFormat: 'ndjson',
    }
    const outcome = await gateCommand({ workspace, run }, ndjson, fakePorts(IDS))
    expect(outcome.exitCode).toBe(0)
    const events = captured.out().trim().split('\n').map(parseNdjsonLine)
    expect(events.map((event) => event?.type)).toEqual([
      'step-start',
      'progress',
      'progress',
      'progress',
      'gate',
      'step-end',
    ])
    expect(events.find((event) => event?.type === 'gate')).toMatchObject({ pass: true, outcome: 'first-model' })

    const promoted = capture(dir, env)
    expect(await runCli(['promote', '--run', run, '-w', workspace], promoted.io)).toBe(0)
    expect((await store.getModelVersionByAlias('water-meter-segmentation', 'production'))?.runId).toBe(run)

    const anonymous = capture(dir, {})
    expect(await runCli(['history', '-w', workspace], anonymous.io)).toBe(0)
    expect(anonymous.out()).toContain('Registry not consulted')
    expect(anonymous.out()).not.toContain('t0ken')
    expect(server.requests.every((request) => request.authorization !== 'Bearer wrong')).toBe(true)
  })
})
