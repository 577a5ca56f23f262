import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseNdjsonLine } from '@wms/shared/pipeline/events'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { runCli } from './main.js'
import { captureIo as capture } from '../../test/helpers/cli-capture.js'

describe('training-runner CLI', () => {
  const tempDir = useTempDirs()

  it('prints help and version with exit code 0', async () => {
    const help = capture('/')
    expect(await runCli(['--help'], help.io)).toBe(0)
    expect(help.out()).toContain('Usage: training-runner')
    const version = capture('/')
    expect(await runCli(['--version'], version.io)).toBe(0)
    expect(version.out().trim()).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('exits with 2 on usage errors and says what is wrong', async () => {
    const unknown = capture('/')
    expect(await runCli(['frobnicate'], unknown.io)).toBe(2)
    expect(unknown.err()).toContain("unknown command 'frobnicate'")
    const missing = capture('/')
    expect(await runCli(['demo'], missing.io)).toBe(2)
    expect(missing.err()).toContain("missing required argument 'dir'")
    const bad = capture('/')
    expect(await runCli(['demo', 'x', '--pairs', 'many'], bad.io)).toBe(2)
    expect(bad.err()).toContain('expected a whole number')
    const none = capture('/')
    expect(await runCli([], none.io)).toBe(2)
  })

  it('creates the demo and describes it as JSON', async () => {
    const cwd = await tempDir()
    const demo = capture(cwd)
    expect(await runCli(['--json', 'demo', 'demo', '--pairs', '2', '--incoming', '1'], demo.io)).toBe(0)
    const layout = JSON.parse(demo.out()) as { workspace: string }
    expect(layout.workspace).toBe(path.join(cwd, 'demo', 'workspace'))

    const info = capture(cwd)
    expect(await runCli(['--json', 'info', '--workspace', 'demo/workspace'], info.io)).toBe(0)
    expect(JSON.parse(info.out())).toMatchObject({ isDemo: true, git: { branch: 'main' } })
  })

  it('streams NDJSON events that end with a done event carrying the result', async () => {
    const cwd = await tempDir()
    const run = capture(cwd)
    expect(await runCli(['--events', 'ndjson', 'demo', 'demo', '--pairs', '1', '--incoming', '0'], run.io)).toBe(0)
    const events = run
      .out()
      .trim()
      .split('\n')
      .map((line) => parseNdjsonLine(line))
    expect(events.every((event) => event !== undefined)).toBe(true)
    expect(events.map((event) => event?.type)).toEqual(['step-start', 'progress', 'progress', 'step-end', 'done'])
    expect(events.at(-1)).toMatchObject({
      type: 'done',
      status: 'ok',
      result: { workspace: path.join(cwd, 'demo', 'workspace') },
    })
  })

  it('reports a failure with the reason and a hint, exit code 1', async () => {
    const cwd = await tempDir()
    const run = capture(cwd)
    expect(await runCli(['info', '--workspace', cwd], run.io)).toBe(1)
    expect(run.err()).toContain('is not a WMS Studio workspace')
    expect(run.err()).toContain('→')
    const json = capture(cwd)
    expect(await runCli(['--json', 'info', '--workspace', cwd], json.io)).toBe(1)
    expect(JSON.parse(json.out())).toMatchObject({ error: { code: 'workspace/not-found' } })
  })
})
