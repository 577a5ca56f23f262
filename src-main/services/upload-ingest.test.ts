import { describe, expect, it } from 'vitest'
import type { UploadedFile } from '@wms/shared/ipc/contract'
import { addInGroups } from './upload-ingest.js'

const file = (size: number, read: number[], index: number): UploadedFile => ({
  size,
  bytes: () => {
    read.push(index)
    return Promise.resolve(new Uint8Array(size))
  },
})

describe('addInGroups', () => {
  it.each([
    ['small files share a group', [3, 3, 3], 10, [[3, 3, 3]]],
    [
      'a group closes before it would pass the limit',
      [4, 4, 4, 4],
      10,
      [
        [4, 4],
        [4, 4],
      ],
    ],
    ['a file larger than a group travels alone', [2, 25, 2], 10, [[2], [25], [2]]],
  ])('%s', async (_label, sizes, groupBytes, expected) => {
    const read: number[] = []
    const files = sizes.map((size, index) => file(size, read, index))
    const groups: number[][] = []
    const result = await addInGroups(
      sizes.map((size, index) => ({ path: `images/${String(index)}.png`, size })),
      files,
      (group) => {
        groups.push(group.map((entry) => entry.bytes.byteLength))
        return Promise.resolve({ added: group.map((entry) => entry.path), rejected: [] as string[] })
      },
      groupBytes,
    )
    expect(groups).toEqual(expected)
    expect(result.added).toEqual(sizes.map((_size, index) => `images/${String(index)}.png`))
    // Each file is read once, in order, only when its group is being filled.
    expect(read).toEqual(sizes.map((_size, index) => index))
  })
})
