import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test-support/temp-dirs.js'
import { createWorkerPhotoInference } from './photo-inference.js'

const INPUT = { modelDir: '/m', image: '/i.jpg', mask: '/m.png' }

describe('createWorkerPhotoInference', () => {
  const temp = useTempDirs()

  const worker = async (body: string): Promise<string> => {
    const file = path.join(await temp(), 'worker.mjs')
    await writeFile(file, `import { parentPort } from 'node:worker_threads'\n${body}\n`)
    return file
  }

  it("passes the worker's typed error on, and turns its bytes back into Buffers on success", async () => {
    const inference = createWorkerPhotoInference(
      await worker(`parentPort.on('message', (job) => {
        if (job.image === '/bad.jpg') parentPort.postMessage({ type: 'failed', jobId: job.jobId, error: { code: 'images/unreadable', message: 'Cannot decode /bad.jpg', hint: 'Check the file.' } })
        else parentPort.postMessage({ type: 'done', jobId: job.jobId, result: { width: 4, height: 2, foreground: 0.5, dice: 0.9, iou: 0.8, predictedOverlay: new Uint8Array([1, 2]), differenceOverlay: new Uint8Array([3]), seconds: 0.1 } })
      })`),
    )
    try {
      await expect(inference.tryOnPhoto({ ...INPUT, image: '/bad.jpg' })).rejects.toMatchObject({
        code: 'images/unreadable',
        hint: 'Check the file.',
      })
      const done = await inference.tryOnPhoto(INPUT)
      expect(done).toMatchObject({ width: 4, dice: 0.9 })
      expect(Buffer.isBuffer(done.predictedOverlay)).toBe(true)
      expect([...done.differenceOverlay]).toEqual([3])
    } finally {
      await inference.dispose()
    }
  })

  it('fails a try with the reason when the worker dies, and starts a new worker for the next one', async () => {
    const marker = path.join(await temp(), 'died-once')
    const inference = createWorkerPhotoInference(
      await worker(`import { existsSync, writeFileSync } from 'node:fs'
      parentPort.on('message', (job) => {
        if (!existsSync(${JSON.stringify(marker)})) { writeFileSync(${JSON.stringify(marker)}, 'x'); process.exit(9) }
        parentPort.postMessage({ type: 'done', jobId: job.jobId, result: { width: 1, height: 1, foreground: 0, dice: 1, iou: 1, predictedOverlay: new Uint8Array(), differenceOverlay: new Uint8Array(), seconds: 0 } })
      })`),
    )
    try {
      await expect(inference.tryOnPhoto(INPUT)).rejects.toThrow(/inference worker stopped \(exit code 9\)/)
      await expect(inference.tryOnPhoto(INPUT)).resolves.toMatchObject({ dice: 1 })
    } finally {
      await inference.dispose()
    }
  })
})
