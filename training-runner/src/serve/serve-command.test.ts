import { createServer } from 'node:net'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCliIn } from '../../test/helpers/cli-capture.js'
import { useTempDirs } from '../../test/helpers/temp-dir.js'

/** `serve` fails fast, with a sentence and a hint, where waiting would help nobody. */

const temp = useTempDirs()

describe('serve command: clear failures', () => {
  it('refuses a model folder that cannot be served instead of idling unready', async () => {
    const dir = await temp('wms-serve-cli-')
    const run = await runCliIn(dir, ['serve', '--model', 'missing', '--port', '0', '--backend', 'cpu'])
    expect(run.code).toBe(1)
    expect(run.err).toContain(`Cannot serve ${path.join(dir, 'missing')}`)
    expect(run.err).toMatch(/→ Point --model at a folder written by `training-runner train`/)
  })

  it('says which port is taken', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as { port: number }).port
    try {
      const dir = await temp('wms-serve-cli-')
      const run = await runCliIn(dir, ['serve', '--model', dir, '--port', String(port), '--backend', 'cpu'])
      expect(run.code).toBe(2)
      expect(run.err).toContain(`Cannot listen on 127.0.0.1:${String(port)} (EADDRINUSE)`)
      expect(run.err).toMatch(/stop it or pass --port/)
    } finally {
      blocker.close()
    }
  })

  it('names both ways to find a registry when there is neither a workspace nor MLFLOW_TRACKING_URI', async () => {
    const dir = await temp('wms-serve-cli-')
    const run = await runCliIn(dir, ['serve', '--port', '0', '--backend', 'cpu'], {})
    expect(run.code).toBe(1)
    expect(run.err).toMatch(/no wms.config.json and MLFLOW_TRACKING_URI is not set/)
  })
})
