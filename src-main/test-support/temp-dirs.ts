import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach } from 'vitest'

/** A fresh temporary directory per call, removed after the current test. Tests never write outside these. */
export function useTempDirs(): (prefix?: string) => Promise<string> {
  const created: string[] = []
  afterEach(async () => {
    await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
  })
  return async (prefix = 'wms-test-') => {
    const dir = await mkdtemp(path.join(os.tmpdir(), prefix))
    created.push(dir)
    return dir
  }
}
