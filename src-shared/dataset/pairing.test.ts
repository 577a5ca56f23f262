import { describe, expect, it } from 'vitest'
import { pairDatasetFiles, pairFiles, parseDatasetPath, stripRoleSuffix } from './pairing.js'

describe('pairDatasetFiles', () => {
  it('pairs by stem across extensions and case, like phone files', () => {
    const result = pairDatasetFiles(['images/a.JPG', 'masks/a.png', 'images/b.jpeg', 'masks/b.jpg'])
    expect(result.pairs).toEqual([
      { stem: 'a', image: 'images/a.JPG', mask: 'masks/a.png' },
      { stem: 'b', image: 'images/b.jpeg', mask: 'masks/b.jpg' },
    ])
    expect(result.problems).toEqual([])
  })

  it('reports orphans, two files claiming one stem, and unsupported formats', () => {
    const result = pairDatasetFiles([
      'images/lonely.jpg',
      'masks/ghost.png',
      'images/twice.jpg',
      'images/twice.png',
      'masks/twice.png',
      'images/x.gif',
      'images/.gitkeep',
      'images/Thumbs.db',
    ])
    expect(result.pairs).toEqual([])
    expect(result.problems.map((problem) => [problem.kind, problem.stem])).toEqual([
      ['orphan-mask', 'ghost'],
      ['orphan-image', 'lonely'],
      ['duplicate-stem', 'twice'],
      ['unsupported-extension', 'x'],
    ])
  })

  it('parses roles, stems and extensions', () => {
    expect(parseDatasetPath('images/sub/id_1.value.PNG')).toEqual({
      role: 'images',
      stem: 'sub/id_1.value',
      ext: '.png',
    })
    expect(parseDatasetPath('README.md')).toMatchObject({ role: 'other' })
  })

  it('falls back to the <stem>_image / <stem>_mask convention for what exact stems leave unpaired', () => {
    const result = pairDatasetFiles([
      'images/id_49_image.jpg',
      'masks/id_49_mask.png',
      'images/same_image.jpg',
      'masks/same_image.jpg',
      'x_image.JPG',
      'x_mask.png',
      'notes.txt',
    ])
    expect(result.pairs).toEqual([
      { stem: 'id_49', image: 'images/id_49_image.jpg', mask: 'masks/id_49_mask.png' },
      { stem: 'same_image', image: 'images/same_image.jpg', mask: 'masks/same_image.jpg' },
      { stem: 'x', image: 'x_image.JPG', mask: 'x_mask.png' },
    ])
    expect(result.problems).toEqual([])
  })

  it('pairs names that differ only in Unicode normalisation (macOS NFD vs NFC)', () => {
    const result = pairDatasetFiles(['images/caf\u00e9 1.jpg', 'masks/cafe\u0301 1.png'])
    expect(result.pairs).toHaveLength(1)
    expect(result.problems).toEqual([])
  })

  it('pairs loose files only by convention and says which cannot be told apart', () => {
    const result = pairFiles([
      { path: '/a/m1_image.jpg', role: 'loose', name: 'm1_image.jpg' },
      { path: '/b/m1-mask.png', role: 'loose', name: 'm1-mask.png' },
      { path: '/a/photo.jpg', role: 'loose', name: 'photo.jpg' },
      { path: '/a/images/m2.jpg', role: 'images', name: 'm2.jpg' },
      { path: '/a/m2_mask.png', role: 'loose', name: 'm2_mask.png' },
    ])
    expect(result.pairs).toEqual([
      { stem: 'm1', image: '/a/m1_image.jpg', mask: '/b/m1-mask.png' },
      { stem: 'm2', image: '/a/images/m2.jpg', mask: '/a/m2_mask.png' },
    ])
    expect(result.problems).toEqual([{ kind: 'unknown-role', files: ['/a/photo.jpg'], stem: 'photo' }])
  })

  it('strips role suffixes only when something is left', () => {
    expect(stripRoleSuffix('a_MASK')).toEqual({ stem: 'a', role: 'masks' })
    expect(stripRoleSuffix('a-img')).toEqual({ stem: 'a', role: 'images' })
    expect(stripRoleSuffix('_mask')).toEqual({ stem: '_mask', role: undefined })
    expect(stripRoleSuffix('masked')).toEqual({ stem: 'masked', role: undefined })
  })
})
