import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { RUN_TAGS } from '@wms/shared/tracking/tags'
import { openWorkspaceTracking, startRun, writeWorkspaceConfig } from 'training-runner'
import { useTempDirs } from '../../test-support/temp-dirs.js'
import { MlflowStatusReader } from './mlflow-status.js'

const temp = useTempDirs()

describe('MlflowStatusReader', () => {
  it('finds the version a run was promoted to, though promotion tags it after the run finished', async () => {
    const root = path.join(await temp('wms-mlflow-status-'), 'workspace')
    await mkdir(root, { recursive: true })
    await writeWorkspaceConfig(root, {
      version: 1,
      name: 'status test',
      dataset: { remote: { type: 'local', path: '../dvc-remote' } },
      tracking: { uri: 'file:../mlruns', experiment: 'wms', registeredModel: 'wms-model' },
    })
    const { store } = await openWorkspaceTracking(root, { env: {} })
    const logger = await startRun(store, { experiment: 'wms' })
    await logger.finish()
    const reader = new MlflowStatusReader(() => Promise.resolve({ store, uiBase: null }))
    // The finished run is read (and kept) before the gate and promotion ran.
    expect((await reader.run(logger.runId)).running).toBe(false)
    expect(await reader.registeredVersion(logger.runId)).toBeUndefined()
    await store.setRunTag(logger.runId, RUN_TAGS.registeredVersion, '3')
    expect(await reader.registeredVersion(logger.runId)).toBe('3')
  })
})
