import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test-support/temp-dirs.js'
import { createWorkerQaChecker } from './worker-qa-checker.js'

describe('createWorkerQaChecker', () => {
  const tempDir = useTempDirs()

  it('fails a run with the reason when its worker thread dies, instead of waiting for ever', async () => {
    const dir = await tempDir()
    // A real worker thread that stops the way an out-of-memory kill does: no error event, just an exit.
    const workerPath = path.join(dir, 'dying-worker.mjs')
    await writeFile(
      workerPath,
      "import { parentPort } from 'node:worker_threads'\nparentPort.on('message', () => process.exit(7))\n",
    )
    const checker = createWorkerQaChecker({
      workerPath,
      workspaceRoot: dir,
      datasetRoot: 'data/training',
      cacheDir: dir,
      policy: {},
    })
    try {
      await expect(
        checker.run({ pairs: [], replacements: [] }, { signal: new AbortController().signal, onPair: () => undefined }),
      ).rejects.toThrow(/QA failed: the QA worker stopped \(exit code 7\)/)
    } finally {
      await checker.dispose()
    }
  })
})
