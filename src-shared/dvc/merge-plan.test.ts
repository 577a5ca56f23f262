import { describe, expect, it } from 'vitest'
import { describeCollisions, planMerge, type MergeAddition } from './merge-plan.js'
import type { Replacement } from './replacements.js'

const e = (relpath: string, c: string) => ({ relpath, md5: c.repeat(32) })
const base = [e('images/a.jpg', '1'), e('masks/a.png', '2'), e('images/b.jpg', '3'), e('masks/b.png', '4')]

function plan(additions: MergeAddition[], replacements: Replacement[] = []) {
  return planMerge({ base, additions, replacements })
}

describe('planMerge', () => {
  it('appends new files and keeps every existing one', () => {
    const result = plan([e('images/c.JPG', '5'), e('masks/c.png', '6')])
    expect(result.collisions).toEqual([])
    expect(result.entries.map((entry) => entry.relpath)).toEqual([
      'images/a.jpg',
      'images/b.jpg',
      'images/c.JPG',
      'masks/a.png',
      'masks/b.png',
      'masks/c.png',
    ])
    expect(result.counts).toEqual({ existing: 4, new: 2, replaced: 0, unchanged: 0, total: 6 })
    expect(result.countsByFolder.images).toEqual({ existing: 2, new: 1, replaced: 0, unchanged: 0, total: 3 })
  })

  it('counts identical files as unchanged, not new (0 new files is visible)', () => {
    const result = plan([e('images/a.jpg', '1'), e('masks/a.png', '2')])
    expect(result.counts).toEqual({ existing: 4, new: 0, replaced: 0, unchanged: 2, total: 4 })
    expect(result.entries).toEqual([...base].sort((x, y) => (x.relpath < y.relpath ? -1 : 1)))
  })

  it('starts a dataset from nothing', () => {
    const result = planMerge({ base: [], additions: [e('images/a.jpg', '1')], replacements: [] })
    expect(result.counts).toEqual({ existing: 0, new: 1, replaced: 0, unchanged: 0, total: 1 })
  })

  it.each([
    ['same path, other content', [e('images/a.jpg', '9')], 'same-path', ['images/a.jpg']],
    ['same stem, other extension', [e('images/a.png', '9')], 'same-stem', ['images/a.jpg']],
    ['same stem, upper-case extension', [e('images/a.JPG', '9')], 'same-stem', ['images/a.jpg']],
    [
      'same stem twice in the branch',
      [e('images/c.jpg', '8'), e('images/c.jpeg', '9')],
      'same-stem-in-branch',
      ['images/c.jpg'],
    ],
  ])('reports a collision: %s', (_name, additions, kind, existing) => {
    const result = plan(additions)
    expect(result.collisions[0]?.kind).toBe(kind)
    expect(result.collisions[0]?.existing.map((entry) => entry.relpath)).toEqual(existing)
    expect(describeCollisions(result.collisions)[0]).toContain(additions[0]?.relpath)
  })

  it('replaces a file only when the branch declares it', () => {
    const result = plan([e('images/a.jpg', '9')], [{ path: 'images/a.jpg', reason: 'sharper photo' }])
    expect(result.collisions).toEqual([])
    expect(result.replaced).toEqual([
      { from: e('images/a.jpg', '1'), to: e('images/a.jpg', '9'), reason: 'sharper photo' },
    ])
    expect(result.counts).toEqual({ existing: 4, new: 0, replaced: 1, unchanged: 0, total: 4 })
    expect(result.entries).toContainEqual(e('images/a.jpg', '9'))
  })

  it('replaces across extensions by stem and drops the old file', () => {
    const result = plan([e('masks/a.jpg', '9')], [{ path: 'masks/a.jpg', reason: 'mask as JPEG' }])
    expect(result.entries.map((entry) => entry.relpath)).toEqual([
      'images/a.jpg',
      'images/b.jpg',
      'masks/a.jpg',
      'masks/b.png',
    ])
    expect(result.counts.total).toBe(4)
  })

  it('accepts, on a rerun, a replacement an earlier merge of the branch already made', () => {
    const result = plan([{ ...e('images/a.jpg', '9'), replacedBefore: e('images/a.jpg', '1') }])
    expect(result.collisions).toEqual([])
    expect(result.replaced).toHaveLength(1)
  })

  it('refuses that rerun once main changed the same file meanwhile', () => {
    const result = plan([{ ...e('images/a.jpg', '9'), replacedBefore: e('images/a.jpg', '7') }])
    expect(result.collisions).toHaveLength(1)
  })

  it('flags declarations that do not match the branch', () => {
    const result = plan(
      [e('images/c.jpg', '5')],
      [
        { path: 'images/c.jpg', reason: 'x' },
        { path: 'images/zzz.jpg', reason: 'y' },
      ],
    )
    expect(result.replacementProblems).toEqual([
      'images/c.jpg is declared as a replacement, but the dataset has no file with that path or stem to replace',
      'images/zzz.jpg is declared as a replacement, but this branch does not add that file',
    ])
  })

  it('lets files with unsupported extensions collide only on the exact path', () => {
    const result = planMerge({
      base: [e('images/notes.txt', '1')],
      additions: [e('images/notes.md', '2')],
      replacements: [],
    })
    expect(result.collisions).toEqual([])
  })
})
