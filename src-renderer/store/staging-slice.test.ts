import { describe, expect, it } from 'vitest'
import { createAppStore } from './app-store.js'
import { fakeApi } from '../test-support/fake-api.js'
import { batchFiles, orderForUpload } from '../ipc/read-files.js'

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

  it('batches by size and count', () => {
    const files = Array.from({ length: 5 }, (_, i) => ({
      path: `images/${String(i)}.jpg`,
      file: file(`${String(i)}.jpg`, 400),
    }))
    expect(batchFiles(files, 1000, 10).map((batch) => batch.length)).toEqual([2, 2, 1])
    expect(batchFiles(files, 10_000, 2).map((batch) => batch.length)).toEqual([2, 2, 1])
  })

  it('sends each file with its path and size, tracks progress and keeps what was rejected', async () => {
    const sent: unknown[] = []
    const bodies: Blob[] = []
    const { api } = fakeApi({
      'staging:add-files': (request, files) => {
        sent.push(request)
        bodies.push(...files)
        return { ok: true, value: { added: [], rejected: [{ path: 'x.jpg', reason: 'cannot tell' }] } }
      },
    })
    const store = createAppStore(api)
    const file = new File(['hi'], 'a.jpg')
    await store.getState().addPickedFiles([{ path: 'images/a.jpg', file }])
    expect(sent).toEqual([{ files: [{ path: 'images/a.jpg', size: 2 }] }])
    expect(bodies).toEqual([file])
    expect(store.getState().staging.upload).toBeNull()
    expect(store.getState().staging.rejected).toEqual([{ path: 'x.jpg', reason: 'cannot tell' }])
  })
})
