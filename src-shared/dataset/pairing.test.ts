import { describe, expect, it } from 'vitest'
import { pairDatasetFiles, parseDatasetPath } from './pairing.js'

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
})
