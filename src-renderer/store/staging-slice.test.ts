import { describe, expect, it } from 'vitest'
import { createAppStore } from './app-store.js'
import { fakeApi } from '../test-support/fake-api.js'
import { orderForUpload, readInBatches } from '../ipc/read-files.js'

const file = (name: string, size = 10): File => new File([new Uint8Array(size)], name)

describe('uploading picked files', () => {
  it('orders each image right before its mask, whatever the folders', () => {
    const ordered = orderForUpload([
      { path: 'set/masks/b.png', file: file('b.png') },
      { path: 'set/images/b.jpg', file: file('b.jpg') },
      { path: 'a_mask.png', file: file('a_mask.png') },
      { path: 'a_image.jpg', file: file('a_image.jpg') },
    ])
    expect(ordered.map((item) => item.path)).toEqual([
      'a_image.jpg',
      'a_mask.png',
      'set/images/b.jpg',
      'set/masks/b.png',
    ])
  })

  it('reads files into batches closed by size or count, sizes taken from the bytes read', async () => {
    const files = Array.from({ length: 5 }, (_, i) => ({
      path: `images/${String(i)}.jpg`,
      file: file(`${String(i)}.jpg`, 400),
    }))
    const sizes = async (batches: AsyncIterable<{ contents: ArrayBuffer[] }>): Promise<number[][]> => {
      const lengths: number[][] = []
      for await (const batch of batches) lengths.push(batch.contents.map((content) => content.byteLength))
      return lengths
    }
    // A batch closes once it reaches the byte budget, so it may pass it by the last file.
    expect(await sizes(readInBatches(files, 1000, 10))).toEqual([
      [400, 400, 400],
      [400, 400],
    ])
    expect(await sizes(readInBatches(files, 10_000, 2))).toEqual([[400, 400], [400, 400], [400]])
  })

  it('sends each file with its path and size, tracks progress and keeps what was rejected', async () => {
    const sent: unknown[] = []
    const bodies: string[] = []
    const { api } = fakeApi({
      'staging:add-files': (request, contents) => {
        sent.push(request)
        bodies.push(...contents.map((content) => new TextDecoder().decode(content)))
        return { ok: true, value: { added: [], rejected: [{ path: 'x.jpg', reason: 'cannot tell' }] } }
      },
    })
    const store = createAppStore(api)
    const file = new File(['hi'], 'a.jpg')
    await store.getState().addPickedFiles([{ path: 'images/a.jpg', file }])
    expect(sent).toEqual([{ files: [{ path: 'images/a.jpg', size: 2 }] }])
    expect(bodies).toEqual(['hi'])
    expect(store.getState().staging.upload).toBeNull()
    expect(store.getState().staging.rejected).toEqual([{ path: 'x.jpg', reason: 'cannot tell' }])
  })

  it('stops sending when the host refuses a batch, and says why', async () => {
    let calls = 0
    const { api } = fakeApi({
      'staging:add-files': () => {
        calls += 1
        return calls === 2
          ? { ok: false, error: { code: 'fs/io', message: 'The disk is full.' } }
          : { ok: true, value: { added: [], rejected: [] } }
      },
    })
    const store = createAppStore(api)
    const picked = Array.from({ length: 200 }, (_, i) => ({
      path: `images/${String(i)}.jpg`,
      file: new File(['x'], `${String(i)}.jpg`),
    }))
    await store.getState().addPickedFiles(picked)
    // Four batches in all; the one already in flight beside the refused one may land, nothing after it.
    expect(calls).toBe(3)
    expect(store.getState().staging.error?.message).toBe('The disk is full.')
    expect(store.getState().staging.upload).toBeNull()
  })

  it('leaves files over the per-file limit out of the batches, unread, and says which', async () => {
    const files = [
      { path: 'images/small.jpg', file: file('small.jpg', 100) },
      { path: 'images/huge.jpg', file: file('huge.jpg', 5000) },
    ]
    const batches = []
    for await (const batch of readInBatches(files, 10_000, 10, 1000)) batches.push(batch)
    expect(batches.map((batch) => batch.files.map((picked) => picked.path))).toEqual([['images/small.jpg']])
    expect(batches.flatMap((batch) => batch.oversized)).toEqual([{ path: 'images/huge.jpg', size: 5000 }])
  })

  it('replaces a mask through the upload channel, with its bytes and size, not base64', async () => {
    const sent: unknown[] = []
    const { api, calls } = fakeApi({
      'staging:replace-file': (request, contents) => {
        sent.push({ request, bytes: contents.map((content) => new TextDecoder().decode(content)) })
        return { ok: true, value: { relpath: 'masks/a.png' } }
      },
    })
    const store = createAppStore(api)
    await store.getState().replaceFile('a', 'mask', new File(['mask!'], 'fixed.png'))
    expect(calls).toEqual(['staging:replace-file'])
    expect(sent).toEqual([
      { request: { id: 'a', role: 'mask', files: [{ path: 'fixed.png', size: 5 }] }, bytes: ['mask!'] },
    ])
    expect(store.getState().staging.error).toBeNull()
  })
})
