import { describe, expect, it } from 'vitest'
import { combineDiffs, diffManifests, isEmptyDiff, prefixDiff } from './manifest-diff.js'

const e = (relpath: string, c: string) => ({ relpath, md5: c.repeat(32) })

describe('diffManifests', () => {
  it('lists added, removed and changed files, sorted', () => {
    const diff = diffManifests(
      [e('a.jpg', '1'), e('b.jpg', '2'), e('c.jpg', '3')],
      [e('d.jpg', '4'), e('b.jpg', '2'), e('c.jpg', '5'), e('0.jpg', '6')],
    )
    expect(diff.added).toEqual([e('0.jpg', '6'), e('d.jpg', '4')])
    expect(diff.removed).toEqual([e('a.jpg', '1')])
    expect(diff.changed).toEqual([{ relpath: 'c.jpg', from: '3'.repeat(32), to: '5'.repeat(32) }])
    expect(diff.unchanged).toBe(1)
    expect(isEmptyDiff(diff)).toBe(false)
  })

  it('is empty for equal manifests', () => {
    expect(isEmptyDiff(diffManifests([e('a', '1')], [e('a', '1')]))).toBe(true)
  })

  it('prefixes and combines folder diffs', () => {
    const images = prefixDiff(diffManifests([], [e('x.jpg', '1')]), 'images/')
    const masks = prefixDiff(diffManifests([e('x.png', '2')], [e('x.png', '2')]), 'masks/')
    expect(combineDiffs([images, masks])).toEqual({
      added: [e('images/x.jpg', '1')],
      removed: [],
      changed: [],
      unchanged: 1,
    })
  })
})
