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

  it('sends base64 bytes, tracks progress and keeps what was rejected', async () => {
    const sent: { path: string; data: string }[] = []
    const { api } = fakeApi({
      'staging:add-files': () => ({
        ok: true,
        value: { added: [], rejected: [{ path: 'x.jpg', reason: 'cannot tell' }] },
      }),
    })
    const original = api.staging.addFiles
    api.staging.addFiles = (request) => {
      sent.push(...request.files)
      return original(request)
    }
    const store = createAppStore(api)
    await store.getState().addPickedFiles([{ path: 'images/a.jpg', file: new File(['hi'], 'a.jpg') }])
    expect(sent).toEqual([{ path: 'images/a.jpg', data: btoa('hi') }])
    expect(store.getState().staging.upload).toBeNull()
    expect(store.getState().staging.rejected).toEqual([{ path: 'x.jpg', reason: 'cannot tell' }])
  })
})
